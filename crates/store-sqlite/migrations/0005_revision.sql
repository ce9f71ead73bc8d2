-- Issue 4: the store's revision, for caches kept by readers (the web app). Every write
-- transaction that changes what a read can return raises it by one before it commits, so a
-- reader that finds the revision unchanged knows that what it holds is still what is stored,
-- whichever process wrote. It lives beside `figures` in `counters`: one row, read by its key.
INSERT INTO counters (name, value) VALUES ('revision', 0) ON CONFLICT (name) DO NOTHING;
