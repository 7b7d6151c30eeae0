package storage

import (
	"container/list"
	"context"
	"database/sql"
	"fmt"
	"sync"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// DefaultStatementCache is how many prepared read statements a database
// keeps by default.
const DefaultStatementCache = 256

// preparing runs the reads made outside a transaction as prepared
// statements, kept in an LRU cache by their text. ent sends every query
// with fresh text and arguments, which costs PostgreSQL a parse, a plan
// and, with lib/pq, two round trips each time; a prepared statement costs
// one round trip and reuses its plan. The reads of a GraphQL request and
// its session lookup all take this path. Writes and everything inside a
// transaction go through ent's driver unchanged.
type preparing struct {
	*entsql.Driver
	cache *stmtCache
}

// Query runs a read through the cached prepared statement of its text.
func (d preparing) Query(ctx context.Context, query string, args, v any) error {
	argv, ok := args.([]any)
	if !ok {
		return fmt.Errorf("storage: unexpected argument type %T", args)
	}
	rows, ok := v.(*entsql.Rows)
	if !ok {
		return fmt.Errorf("storage: unexpected result type %T", v)
	}
	s, err := d.cache.acquire(ctx, query)
	if err != nil {
		return err
	}
	r, err := s.stmt.QueryContext(ctx, argv...)
	d.cache.release(s, err != nil && ctx.Err() == nil)
	if err != nil {
		return err
	}
	*rows = entsql.Rows{ColumnScanner: r}
	return nil
}

var _ dialect.Driver = preparing{}

// stmtCache holds up to max prepared statements of db, the least recently
// used first to go. A statement is closed once it has left the cache and
// no query is starting on it; database/sql keeps it open for the rows
// already being read.
type stmtCache struct {
	db  *sql.DB
	max int

	mu    sync.Mutex
	bySQL map[string]*list.Element // of *cachedStmt
	lru   *list.List               // most recently used at the front
}

type cachedStmt struct {
	query string
	stmt  *sql.Stmt
	// users counts the queries starting on stmt; gone is set when it has
	// left the cache, and the last user closes it.
	users int
	gone  bool
}

func newStmtCache(db *sql.DB, max int) *stmtCache {
	return &stmtCache{db: db, max: max, bySQL: map[string]*list.Element{}, lru: list.New()}
}

// acquire returns the prepared statement of query, preparing it when the
// cache does not hold it. The caller must release it once its query has
// started.
func (c *stmtCache) acquire(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	if e, ok := c.bySQL[query]; ok {
		c.lru.MoveToFront(e)
		s := e.Value.(*cachedStmt)
		s.users++
		c.mu.Unlock()
		return s, nil
	}
	c.mu.Unlock()

	// Prepare outside the lock: it is a round trip. Two callers may both
	// prepare the same text; the second keeps the first's statement.
	stmt, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if e, ok := c.bySQL[query]; ok {
		c.lru.MoveToFront(e)
		s := e.Value.(*cachedStmt)
		s.users++
		c.mu.Unlock()
		_ = stmt.Close()
		return s, nil
	}
	s := &cachedStmt{query: query, stmt: stmt, users: 1}
	c.bySQL[query] = c.lru.PushFront(s)
	var closing []*sql.Stmt
	for c.lru.Len() > c.max {
		if old := c.evict(c.lru.Back()); old != nil {
			closing = append(closing, old)
		}
	}
	c.mu.Unlock()
	for _, old := range closing {
		_ = old.Close()
	}
	return s, nil
}

// release ends a use of s. When the query failed, s leaves the cache, so
// that a statement the database no longer accepts (after a schema change,
// say) is prepared anew next time.
func (c *stmtCache) release(s *cachedStmt, failed bool) {
	c.mu.Lock()
	s.users--
	if failed && !s.gone {
		if e, ok := c.bySQL[s.query]; ok && e.Value == s {
			c.evict(e)
		}
	}
	closeNow := s.gone && s.users == 0
	c.mu.Unlock()
	if closeNow {
		_ = s.stmt.Close()
	}
}

// evict removes e from the cache and returns its statement when nobody is
// using it, for the caller to close after unlocking; otherwise its last
// user closes it. c.mu must be held.
func (c *stmtCache) evict(e *list.Element) *sql.Stmt {
	s := e.Value.(*cachedStmt)
	c.lru.Remove(e)
	delete(c.bySQL, s.query)
	s.gone = true
	if s.users == 0 {
		return s.stmt
	}
	return nil
}

// Len returns how many statements the cache holds.
func (c *stmtCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
