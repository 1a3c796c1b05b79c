// Hash routes (the page itself is one file): #/ find, #/c/<person>, #/m/<id>, #/overview.
import { useEffect, useState } from "preact/hooks";

export type Route = { view: "find" } | { view: "conversation"; person: string } | { view: "message"; id: string } | { view: "overview" };

export function parseRoute(hash: string): Route {
  const [, view, ...rest] = hash.replace(/^#/, "").split("/");
  const arg = decodeURIComponent(rest.join("/"));
  if (view === "c" && arg) return { view: "conversation", person: arg };
  if (view === "m" && arg) return { view: "message", id: arg };
  if (view === "overview") return { view: "overview" };
  return { view: "find" };
}

export const href = {
  find: () => "#/",
  conversation: (person: string) => `#/c/${encodeURIComponent(person)}`,
  message: (id: string) => `#/m/${encodeURIComponent(id)}`,
  overview: () => "#/overview",
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}
