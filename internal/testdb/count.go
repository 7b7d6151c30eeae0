package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"entgo.io/ent/dialect"
)

// Counter counts the SQL statements that ent sends through a driver it
// wraps, inside transactions too, so that tests can pin how many statements
// a request costs. It is safe for concurrent use.
//
//	var c testdb.Counter
//	db := e.Open(t, storage.WithDriver(c.Wrap))
type Counter struct {
	mu         sync.Mutex
	statements []string
}

// Wrap returns d with every Exec and Query counted by c.
func (c *Counter) Wrap(d dialect.Driver) dialect.Driver {
	return &countingDriver{Driver: d, counter: c}
}

// Reset forgets the statements counted so far.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.statements = nil
}

// Count returns how many statements ran since the last Reset.
func (c *Counter) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.statements)
}

// Statements returns the statements counted since the last Reset, in the
// order they ran, for failure messages.
func (c *Counter) Statements() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.statements...)
}

func (c *Counter) add(query string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.statements = append(c.statements, query)
}

// countingDriver counts the statements of a driver and of the transactions
// it opens.
type countingDriver struct {
	dialect.Driver
	counter *Counter
}

func (d *countingDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.counter.add(query)
	return d.Driver.Exec(ctx, query, args, v)
}

func (d *countingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.counter.add(query)
	return d.Driver.Query(ctx, query, args, v)
}

func (d *countingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, counter: d.counter}, nil
}

// BeginTx starts a transaction with options, which ent's client.BeginTx
// needs from its driver.
func (d *countingDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return nil, fmt.Errorf("testdb: driver %T does not support BeginTx", d.Driver)
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, counter: d.counter}, nil
}

// countingTx counts the statements of one transaction.
type countingTx struct {
	dialect.Tx
	counter *Counter
}

func (t *countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.counter.add(query)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.counter.add(query)
	return t.Tx.Query(ctx, query, args, v)
}
