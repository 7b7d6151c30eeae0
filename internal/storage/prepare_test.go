package storage

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// openCacheDB opens a SQLite database with a table of three numbers.
func openCacheDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Exec("CREATE TABLE n (v integer); INSERT INTO n VALUES (1), (2), (3)"); err != nil {
		t.Fatal(err)
	}
	return db
}

// sumOf runs query through the driver and adds up the first column.
func sumOf(ctx context.Context, d dialect.Driver, query string, args ...any) (int, error) {
	var rows entsql.Rows
	if err := d.Query(ctx, query, args, &rows); err != nil {
		return 0, err
	}
	defer rows.Close()
	sum := 0
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return 0, err
		}
		sum += v
	}
	return sum, rows.Err()
}

func TestStatementCacheReusesStatements(t *testing.T) {
	db := openCacheDB(t)
	d := preparing{Driver: entsql.OpenDB(dialect.SQLite, db), cache: newStmtCache(db, 4)}
	ctx := context.Background()
	for _, min := range []int{0, 1, 2, 0} {
		sum, err := sumOf(ctx, d, "SELECT v FROM n WHERE v > ?", min)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int{6, 5, 3}[min]; sum != want {
			t.Fatalf("v > %d: sum %d, want %d", min, sum, want)
		}
	}
	if n := d.cache.Len(); n != 1 {
		t.Fatalf("one query text prepared %d statements", n)
	}
}

func TestStatementCacheIsBounded(t *testing.T) {
	db := openCacheDB(t)
	c := newStmtCache(db, 2)
	ctx := context.Background()
	var first *cachedStmt
	for i := range 5 {
		s, err := c.acquire(ctx, fmt.Sprintf("SELECT v + %d FROM n", i))
		if err != nil {
			t.Fatal(err)
		}
		c.release(s, false)
		if i == 0 {
			first = s
		}
	}
	if n := c.Len(); n != 2 {
		t.Fatalf("cache of 2 holds %d statements", n)
	}
	if _, err := first.stmt.Query(); err == nil {
		t.Fatal("an evicted statement is still open")
	}
}

func TestStatementCacheClosesAfterLastUse(t *testing.T) {
	db := openCacheDB(t)
	c := newStmtCache(db, 1)
	ctx := context.Background()
	held, err := c.acquire(ctx, "SELECT v FROM n")
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.acquire(ctx, "SELECT v * 2 FROM n")
	if err != nil {
		t.Fatal(err)
	}
	c.release(other, false)
	// held has left the cache but a query is about to start on it.
	rows, err := held.stmt.Query()
	if err != nil {
		t.Fatalf("a statement in use was closed on eviction: %v", err)
	}
	c.release(held, false)
	for rows.Next() {
	}
	if err := rows.Close(); err != nil {
		t.Fatalf("rows of a statement released while read: %v", err)
	}
	if _, err := held.stmt.Query(); err == nil {
		t.Fatal("an evicted statement stays open after its last use")
	}
}

func TestStatementCacheDropsFailedStatements(t *testing.T) {
	db := openCacheDB(t)
	c := newStmtCache(db, 4)
	s, err := c.acquire(context.Background(), "SELECT v FROM n")
	if err != nil {
		t.Fatal(err)
	}
	c.release(s, true)
	if n := c.Len(); n != 0 {
		t.Fatalf("a failed statement stays cached (%d statements)", n)
	}
	if _, err := c.acquire(context.Background(), "SELECT nothing FROM nowhere"); err == nil {
		t.Fatal("a statement that cannot be prepared was accepted")
	}
	if n := c.Len(); n != 0 {
		t.Fatalf("a statement that cannot be prepared was cached (%d statements)", n)
	}
}

// TestStatementCacheConcurrently runs more query texts than the cache
// holds from several goroutines, so that statements are evicted while
// others use them; run with -race.
func TestStatementCacheConcurrently(t *testing.T) {
	db := openCacheDB(t)
	d := preparing{Driver: entsql.OpenDB(dialect.SQLite, db), cache: newStmtCache(db, 3)}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				k := (g + i) % 7
				sum, err := sumOf(ctx, d, fmt.Sprintf("SELECT v + %d FROM n WHERE v > ?", k), 0)
				if err == nil && sum != 6+3*k {
					err = fmt.Errorf("query %d: sum %d, want %d", k, sum, 6+3*k)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := d.cache.Len(); n > 3 {
		t.Fatalf("cache of 3 holds %d statements", n)
	}
}
