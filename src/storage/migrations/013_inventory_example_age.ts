/**
 * Inventory examples have a retention of their own (`storage.retention.inventoryExamples`): a
 * masked example is still data about one person. `example_at` records when the current example
 * was taken; a trigger keeps it, so every writer of examples (each engine's flush, erasure) gets it
 * right without knowing about it. Examples from before this migration count from the row's last update.
 */
export const version = 13;
export const name = 'inventory_example_age';
export const sql = `
ALTER TABLE inventory_points ADD COLUMN example_at timestamptz;
UPDATE inventory_points SET example_at = updated_at WHERE example IS NOT NULL;
CREATE FUNCTION inventory_example_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.example IS NULL THEN
    NEW.example_at := NULL;
  ELSIF TG_OP = 'INSERT' OR NEW.example IS DISTINCT FROM OLD.example OR NEW.example_subject IS DISTINCT FROM OLD.example_subject THEN
    NEW.example_at := now();
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER inventory_example_at BEFORE INSERT OR UPDATE ON inventory_points
  FOR EACH ROW EXECUTE FUNCTION inventory_example_at();
CREATE INDEX inventory_points_example_at_idx ON inventory_points (example_at) WHERE example_at IS NOT NULL;
`;
