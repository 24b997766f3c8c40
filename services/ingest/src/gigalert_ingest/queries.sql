-- insert_platform --
INSERT INTO platforms (name, api_key_hash, api_key_prefix)
VALUES ($1, $2, $3)
RETURNING id

-- revoke_platform --
-- Every ingest replica LISTENs on platform_revoked and forgets its cached keys at commit.
WITH revoked AS (
    UPDATE platforms SET revoked_at = now()
    WHERE name = $1 AND revoked_at IS NULL
    RETURNING id
)
SELECT id, pg_notify('platform_revoked', id::text) FROM revoked

-- platform_by_key_hash --
SELECT id, name, revoked_at FROM platforms WHERE api_key_hash = $1

-- store_gigs --
-- One round trip per batch: upsert the gigs and write their events to the outbox.
-- $2 is each gig's body as JSON text (GigBody), $3 its search text, $4/$5 the base topic
-- names. New gigs are inserted; changed content updates the row (keeping its id and first
-- received_at); identical content touches nothing. The result has one row per input, in
-- input order: its outcome (created | updated | duplicate) and the gig's id. A duplicate's
-- id comes from the statement's snapshot: it is NULL when the row was committed by a
-- concurrent transaction after the snapshot (the caller looks it up then).
-- A posted event is the body as given plus the envelope (byte for byte what pydantic
-- writes for GigPosted); an updated event is the stored body, which keeps the gig's id and
-- first received_at, plus the envelope and the previous content hash.
WITH input AS (
    SELECT u.ord, u.raw, u.raw::jsonb AS body, u.search_text
    FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(raw, search_text, ord)
), rows AS (
    SELECT i.ord, i.raw, i.body, i.search_text, x.*
    FROM input i, jsonb_to_record(i.body) AS x(
        gig_id uuid, external_id text, title text, description text, url text,
        domains text[], skills text[], remote_mode text, location text,
        rate_min_jpy_h integer, rate_max_jpy_h integer, rate_source jsonb,
        days_per_week_min real, days_per_week_max real, language text,
        posted_at timestamptz, expires_at timestamptz, received_at timestamptz,
        content_hash text)
), old AS (
    SELECT g.external_id, g.content_hash
    FROM gigs g JOIN rows r ON g.platform_id = $1 AND g.external_id = r.external_id
), up AS (
    INSERT INTO gigs AS g (
        id, platform_id, external_id, title, description, url, domains, skills, remote_mode,
        location, rate_min_jpy_h, rate_max_jpy_h, rate_source, days_per_week_min,
        days_per_week_max, language, posted_at, expires_at, received_at, content_hash,
        search_text, body)
    SELECT gig_id, $1, external_id, title, description, url, domains, skills, remote_mode,
        location, rate_min_jpy_h, rate_max_jpy_h, rate_source, days_per_week_min,
        days_per_week_max, language, posted_at, expires_at, received_at, content_hash,
        search_text, body
    FROM rows
    ORDER BY ord
    ON CONFLICT (platform_id, external_id) DO UPDATE SET
        title = EXCLUDED.title,
        description = EXCLUDED.description,
        url = EXCLUDED.url,
        domains = EXCLUDED.domains,
        skills = EXCLUDED.skills,
        remote_mode = EXCLUDED.remote_mode,
        location = EXCLUDED.location,
        rate_min_jpy_h = EXCLUDED.rate_min_jpy_h,
        rate_max_jpy_h = EXCLUDED.rate_max_jpy_h,
        rate_source = EXCLUDED.rate_source,
        days_per_week_min = EXCLUDED.days_per_week_min,
        days_per_week_max = EXCLUDED.days_per_week_max,
        language = EXCLUDED.language,
        posted_at = EXCLUDED.posted_at,
        expires_at = EXCLUDED.expires_at,
        content_hash = EXCLUDED.content_hash,
        search_text = EXCLUDED.search_text,
        updated_at = now(),
        body = jsonb_set(
            jsonb_set(EXCLUDED.body, '{gig_id}', to_jsonb(g.id)),
            '{received_at}', g.body -> 'received_at')
    WHERE g.content_hash <> EXCLUDED.content_hash
    RETURNING g.id, g.external_id, (g.xmax = 0) AS inserted, g.body
), events AS (
    INSERT INTO outbox (topic, key, payload, headers)
    SELECT
        CASE WHEN up.inserted THEN $4 ELSE $5 END,
        convert_to(up.id::text, 'UTF8'),
        convert_to(
            CASE WHEN up.inserted
                THEN left(r.raw, -1) || ',"schema_version":1,"event":"gig.posted"}'
                ELSE (up.body || jsonb_build_object(
                    'schema_version', 1, 'event', 'gig.updated',
                    'previous_content_hash', coalesce(o.content_hash, '')))::text
            END, 'UTF8'),
        jsonb_build_object(
            'schema-version', '1',
            'event', CASE WHEN up.inserted THEN 'gig.posted' ELSE 'gig.updated' END)
    FROM up
    JOIN rows r ON r.external_id = up.external_id
    LEFT JOIN old o ON o.external_id = up.external_id
    ORDER BY r.ord
)
SELECT r.external_id,
    coalesce(up.id, g.id) AS id,
    CASE WHEN up.id IS NULL THEN 'duplicate' WHEN up.inserted THEN 'created' ELSE 'updated'
    END AS outcome
FROM rows r
LEFT JOIN up ON up.external_id = r.external_id
LEFT JOIN gigs g ON up.id IS NULL AND g.platform_id = $1 AND g.external_id = r.external_id
ORDER BY r.ord

-- gig_ids_by_external_id --
SELECT external_id, id FROM gigs WHERE platform_id = $1 AND external_id = ANY($2::text[])
