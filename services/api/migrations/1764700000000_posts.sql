-- Up Migration
-- The feed's table. Runs as the service's writer user, in its own schema (the identity SQL sets search_path),
-- so the writer owns the table; the migration task then grants the reader user SELECT (migrate.ts).
CREATE TABLE posts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  author text NOT NULL,
  title text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- The feed query (WHERE author = $1 ORDER BY created_at DESC, id DESC LIMIT 20) reads this index only.
CREATE INDEX posts_author_created ON posts (author, created_at DESC, id DESC);

-- Down Migration
DROP TABLE posts;
