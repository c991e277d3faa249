-- Data fetched from the built-in Suki API simulator (outside production, no Suki API configured)
-- is made up. It is marked where it is stored, so every view shows it, after any restart, and a
-- made-up note is never taken for a real one; fetching it anew from a real Suki API clears it.

-- AlterTable
ALTER TABLE "artifacts" ADD COLUMN "simulated" BOOLEAN NOT NULL DEFAULT false;
