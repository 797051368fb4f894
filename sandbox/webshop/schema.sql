-- The reference Custom Webshop keeps every resource in one table: the contract treats customers, products and
-- orders alike (ids, versions, timestamps, tombstones), so one set of indexes serves all three.
CREATE TABLE IF NOT EXISTS records (
    resource    TEXT    NOT NULL,
    id          INTEGER NOT NULL,
    data        TEXT    NOT NULL,            -- the writable fields as JSON, already validated and normalised
    unique_key  TEXT    NOT NULL,            -- casefolded email / sku / order_number
    origin      TEXT,
    created_at  TEXT    NOT NULL,            -- fixed-width UTC strings: text order is time order
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    deleted_at  TEXT,                        -- set on DELETE: the row stays as a tombstone
    PRIMARY KEY (resource, id)
);

-- Listing is keyset pagination on (updated_at, id): a page of 100 from 100 000 rows is an index range scan.
CREATE INDEX IF NOT EXISTS records_by_update ON records (resource, updated_at, id);
CREATE INDEX IF NOT EXISTS records_by_origin ON records (resource, origin, updated_at, id);
-- Uniqueness holds among live records only, so a deleted SKU or e-mail can be used again.
CREATE UNIQUE INDEX IF NOT EXISTS records_unique_key ON records (resource, unique_key) WHERE deleted_at IS NULL;
-- The same for origin, compared exactly: a tombstone keeps its origin (clients find their copy) but does not hold it.
-- Only the shop can make "look up by origin, then create" atomic, so a client's retried create cannot duplicate.
CREATE UNIQUE INDEX IF NOT EXISTS records_unique_origin ON records (resource, origin)
    WHERE deleted_at IS NULL AND origin IS NOT NULL;

-- Ids are never reused, not even after a delete: tombstones and orders keep pointing at the id they knew.
CREATE TABLE IF NOT EXISTS sequences (
    resource TEXT PRIMARY KEY,
    last_id  INTEGER NOT NULL
);
