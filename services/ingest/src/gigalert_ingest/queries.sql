-- insert_platform --
INSERT INTO platforms (name, api_key_hash, api_key_prefix)
VALUES ($1, $2, $3)
RETURNING id

-- revoke_platform --
UPDATE platforms SET revoked_at = now()
WHERE name = $1 AND revoked_at IS NULL
RETURNING id

-- platform_by_key_hash --
SELECT id, name, revoked_at FROM platforms WHERE api_key_hash = $1

-- upsert_gigs --
-- New gigs are inserted; changed content updates the row (keeping its id and first
-- received_at); identical content touches nothing and returns no row.
WITH input AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(
        id uuid, external_id text, title text, description text, url text,
        domains text[], skills text[], remote_mode text, location text,
        rate_min_jpy_h integer, rate_max_jpy_h integer, rate_source jsonb,
        days_per_week_min real, days_per_week_max real, language text,
        posted_at timestamptz, expires_at timestamptz, received_at timestamptz,
        content_hash text, search_text text, body jsonb)
), old AS (
    SELECT g.external_id, g.content_hash
    FROM gigs g JOIN input i ON g.platform_id = $1 AND g.external_id = i.external_id
)
INSERT INTO gigs AS g (
    id, platform_id, external_id, title, description, url, domains, skills, remote_mode,
    location, rate_min_jpy_h, rate_max_jpy_h, rate_source, days_per_week_min,
    days_per_week_max, language, posted_at, expires_at, received_at, content_hash,
    search_text, body)
SELECT id, $1, external_id, title, description, url, domains, skills, remote_mode,
    location, rate_min_jpy_h, rate_max_jpy_h, rate_source, days_per_week_min,
    days_per_week_max, language, posted_at, expires_at, received_at, content_hash,
    search_text, body
FROM input
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
RETURNING g.id, g.external_id, (g.xmax = 0) AS inserted, g.body ->> 'received_at' AS received_at,
    (SELECT o.content_hash FROM old o WHERE o.external_id = g.external_id) AS previous_hash

-- gig_ids_by_external_id --
SELECT external_id, id FROM gigs WHERE platform_id = $1 AND external_id = ANY($2::text[])
