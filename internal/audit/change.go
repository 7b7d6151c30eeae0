// Package audit describes the changes that accountd records in its
// append-only audit trail.
package audit

// Change is the value of one field before and after a change.
type Change struct {
	Before any `json:"before"`
	After  any `json:"after"`
}
