import { defineConfig } from 'prisma/config';

// The Prisma CLI reads its datasource here (Prisma 7 no longer takes it from schema.prisma).
// `prisma generate` needs no URL; `prisma migrate deploy` uses DATABASE_URL.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
