// Package outbox holds the emails that accountd writes in the same
// transaction as the change that causes them, for later delivery.
package outbox

// Attachment is a file carried by an outbox message; an inline one is
// referenced from the HTML body by its content ID.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"contentType"`
	ContentID   string `json:"contentId,omitempty"`
	Inline      bool   `json:"inline,omitempty"`
	Data        []byte `json:"data"`
}
