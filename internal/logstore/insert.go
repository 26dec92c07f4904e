package logstore

import (
	"context"
	"database/sql/driver"
	"fmt"
)

// rowBatch inserts the rows of one transaction through the driver's
// connection dc, and records their blocks.
//
// Rows with the same columns go in multiRows at a time, in one statement:
// binding, stepping and resetting a statement costs about as much again as
// the values it binds. A row waits for multiRows-1 more with its columns
// while at most maxWaiting rows wait; past that, and at the end of the
// batch, the oldest go in alone. Rows thus take rowids a little out of the
// order they came in, as their times already are.
type rowBatch struct {
	ctx     context.Context
	dc      any
	inserts *insertCache

	waiting []waitingRow          // oldest first
	counts  map[uint64]int        // of the rows waiting, by their columns
	spare   [][]driver.NamedValue // values of rows inserted, for reuse
	args    []driver.NamedValue   // a statement's arguments
	times   []int64               // and its rows' TimeGenerated

	blk      block // of the rows inserted since the last block was recorded
	inBlock  bool  // blk holds rows
	inserted int
}

// waitingRow is a parsed row not inserted yet.
type waitingRow struct {
	set  uint64
	time int64
	vals []driver.NamedValue
}

// multiRows is the number of rows of a multi-row INSERT; maxWaiting the
// most rows that wait for others with their columns.
const (
	multiRows  = 16
	maxWaiting = 256
)

// add inserts r, or keeps its values (which may point into its line) to
// insert later.
func (b *rowBatch) add(r *row) error {
	var vals []driver.NamedValue
	if n := len(b.spare); n > 0 {
		vals, b.spare = b.spare[n-1][:0], b.spare[:n-1]
	}
	for i := range columns {
		if r.set&(1<<i) != 0 {
			vals = append(vals, driver.NamedValue{Value: r.vals[i]})
		}
	}
	b.waiting = append(b.waiting, waitingRow{set: r.set, time: r.vals[0].(int64), vals: vals}) // parseLine requires TimeGenerated
	if b.counts == nil {
		b.counts = map[uint64]int{}
	}
	b.counts[r.set]++
	if b.counts[r.set] == multiRows {
		return b.insert(r.set, multiRows)
	}
	if len(b.waiting) > maxWaiting {
		return b.insert(b.waiting[0].set, 1)
	}
	return nil
}

// finish inserts the rows still waiting, in order, and records the last
// block.
func (b *rowBatch) finish() error {
	for len(b.waiting) > 0 {
		if err := b.insert(b.waiting[0].set, 1); err != nil {
			return err
		}
	}
	if b.inBlock {
		b.inBlock = false
		return extendBlocks(b.ctx, b.dc, b.blk)
	}
	return nil
}

// release drops the references to the batch's lines.
func (b *rowBatch) release() {
	for _, w := range b.waiting {
		clear(w.vals)
	}
	clear(b.args)
	b.waiting, b.args, b.spare = nil, nil, nil
}

// insert inserts the n oldest rows waiting with the columns set, in one
// statement.
func (b *rowBatch) insert(set uint64, n int) error {
	args, times := b.args[:0], b.times[:0]
	kept := b.waiting[:0]
	for _, w := range b.waiting {
		if w.set != set || len(times) == n {
			kept = append(kept, w)
			continue
		}
		args = append(args, w.vals...)
		times = append(times, w.time)
		clear(w.vals)
		b.spare = append(b.spare, w.vals)
	}
	clear(b.waiting[len(kept):])
	b.waiting = kept
	b.counts[set] -= n
	b.args, b.times = args, times
	for i := range args {
		args[i].Ordinal = i + 1
	}
	stmt, err := b.inserts.stmt(b.ctx, set, n)
	if err != nil {
		return err
	}
	res, err := stmt.ExecContext(b.ctx, args)
	clear(args)
	if err != nil {
		return err
	}
	last, err := res.LastInsertId()
	if err != nil {
		return err
	}
	// One statement's rows take consecutive rowids.
	first := last - int64(n) + 1
	if !b.inBlock {
		b.blk = block{first: first, last: last, tmin: times[0], tmax: times[0]}
		b.inBlock = true
	}
	b.blk.first, b.blk.last = min(b.blk.first, first), max(b.blk.last, last)
	for _, t := range times {
		b.blk.tmin, b.blk.tmax = min(b.blk.tmin, t), max(b.blk.tmax, t)
	}
	b.inserted += n
	if b.blk.last-b.blk.first+1 >= blockRows {
		b.inBlock = false
		return extendBlocks(b.ctx, b.dc, b.blk)
	}
	return nil
}

// block is a row of BlocksTable: rowids first..last hold the rows of
// TimeGenerated tmin..tmax.
type block struct{ first, last, tmin, tmax int64 }

// extendBlocks records b, the rows of a transaction, on the driver
// connection dc in its transaction: it widens the last block when b
// follows it and the two span at most blockRows rowids, and adds a block
// otherwise.
func extendBlocks(ctx context.Context, dc any, b block) error {
	args := []driver.NamedValue{{Ordinal: 1, Value: b.first}, {Ordinal: 2, Value: b.last}, {Ordinal: 3, Value: b.tmin}, {Ordinal: 4, Value: b.tmax}}
	n, err := execIn(ctx, dc, fmt.Sprintf(`UPDATE %[1]s SET last = ?2, tmin = min(tmin, ?3), tmax = max(tmax, ?4)
		WHERE id = (SELECT max(id) FROM %[1]s) AND last + 1 = ?1 AND ?2 - first < %[2]d`, BlocksTable, blockRows), args)
	if err != nil || n > 0 {
		return err
	}
	_, err = execIn(ctx, dc, "INSERT INTO "+BlocksTable+" (first, last, tmin, tmax) VALUES (?1, ?2, ?3, ?4)", args)
	return err
}

// execIn runs query on the driver connection dc and returns the rows it
// changed.
func execIn(ctx context.Context, dc any, query string, args []driver.NamedValue) (int64, error) {
	st, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	res, err := st.(driver.StmtExecContext).ExecContext(ctx, args)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// insertCache holds a batch's prepared INSERT statements, of one row and
// of multiRows rows per set of columns a line gives (a handful in
// practice), on the connection they were prepared on.
type insertCache struct {
	conn  any
	stmts map[insertKey]driver.StmtExecContext
}

// insertKey names an INSERT statement: its columns and rows.
type insertKey struct {
	set  uint64
	rows int
}

// maxInsertStmts bounds the statements kept; beyond it they are all closed
// and prepared again as needed.
const maxInsertStmts = 64

func (c *insertCache) stmt(ctx context.Context, set uint64, rows int) (driver.StmtExecContext, error) {
	k := insertKey{set, rows}
	if st, ok := c.stmts[k]; ok {
		return st, nil
	}
	if len(c.stmts) >= maxInsertStmts {
		c.close()
	}
	st, err := c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, insertSQL(set, rows))
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[insertKey]driver.StmtExecContext{}
	}
	c.stmts[k] = st.(driver.StmtExecContext)
	return c.stmts[k], nil
}

func (c *insertCache) close() {
	for _, st := range c.stmts {
		st.(driver.Stmt).Close()
	}
	c.stmts = nil
}
