// Package fieldtype holds the Go types of the JSON fields of the ent schema.
// It imports nothing of accountd, so that the generated code and the
// packages that use it can all import it.
package fieldtype

// Change is the value of one field before and after a change, as recorded in
// an audit event.
type Change struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

// Attachment is a file carried by an outbox message; an inline one is
// referenced from the HTML body by its content ID.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	ContentID   string `json:"contentId,omitempty"`
	Inline      bool   `json:"inline,omitempty"`
	Data        []byte `json:"data"`
}
