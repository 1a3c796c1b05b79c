// Prisma CLI configuration. The URL is read with process.env (Prisma's env() throws
// when it is unset, and `prisma generate` needs no database).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
