package reports

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"accountd/ent"
	"accountd/ent/auditevent"
	"accountd/ent/predicate"
	"accountd/ent/user"
)

// exportBatch is how many rows an export reads at a time; memory stays
// bounded by one batch whatever the number of rows.
const exportBatch = 1000

// Export writes CSV rows in keyset batches, flushing after each batch, so
// that a client receives the first rows at once and the server holds no
// more than one batch.
type Export struct {
	w        *csv.Writer
	flush    func()
	encodeID func(int) string
}

// NewExport returns an export writing to w; flush, when not nil, pushes
// written bytes to the client after each batch; encodeID turns keys into
// the IDs the API shows.
func NewExport(w io.Writer, flush func(), encodeID func(int) string) *Export {
	if flush == nil {
		flush = func() {}
	}
	return &Export{w: csv.NewWriter(w), flush: flush, encodeID: encodeID}
}

// UserColumns are the header of the users export.
var UserColumns = []string{"id", "username", "userType", "status", "firstName", "lastName",
	"email", "mobile", "phone", "twoFactorRequired", "mustChangePassword", "createdAt",
	"updatedAt", "lastLoginAt"}

// Users writes the users matching preds that the caller of ctx may see,
// ordered by ID, and returns how many it wrote.
func (e *Export) Users(ctx context.Context, client *ent.Client, preds ...predicate.User) (int, error) {
	if err := e.w.Write(UserColumns); err != nil {
		return 0, err
	}
	written, lastID := 0, 0
	for {
		batch, err := client.User.Query().
			Where(preds...).
			Where(user.IDGT(lastID)).
			Order(ent.Asc(user.FieldID)).
			Limit(exportBatch).
			All(ctx)
		if err != nil {
			return written, fmt.Errorf("reports: exporting users: %w", err)
		}
		for _, u := range batch {
			err := e.write([]string{e.encodeID(u.ID), u.Username, string(u.UserType),
				string(u.Status), u.FirstName, u.LastName, u.Email, deref(u.Mobile),
				deref(u.Phone), strconv.FormatBool(u.TwoFactorRequired),
				strconv.FormatBool(u.MustChangePassword), timeCell(&u.CreatedAt),
				timeCell(&u.UpdatedAt), timeCell(u.LastLoginAt)})
			if err != nil {
				return written, err
			}
			written++
		}
		if err := e.endBatch(); err != nil {
			return written, err
		}
		if len(batch) < exportBatch {
			return written, nil
		}
		lastID = batch[len(batch)-1].ID
	}
}

// AuditColumns are the header of the audit export.
var AuditColumns = []string{"id", "occurredAt", "actorId", "actorName", "action",
	"targetType", "targetId", "changes", "requestId"}

// AuditEvents writes the audit events matching preds, newest first, and
// returns how many it wrote. A caller limited to some organizations sees
// only the events about the users it may see: the scope's interceptor
// filters them.
func (e *Export) AuditEvents(ctx context.Context, client *ent.Client,
	preds ...predicate.AuditEvent) (int, error) {
	if err := e.w.Write(AuditColumns); err != nil {
		return 0, err
	}
	written, lastID := 0, 0
	for {
		q := client.AuditEvent.Query().Where(preds...)
		if lastID != 0 {
			q.Where(auditevent.IDLT(lastID))
		}
		batch, err := q.Order(ent.Desc(auditevent.FieldID)).Limit(exportBatch).All(ctx)
		if err != nil {
			return written, fmt.Errorf("reports: exporting audit events: %w", err)
		}
		for _, ev := range batch {
			actor := ""
			if ev.ActorID != nil {
				actor = e.encodeID(*ev.ActorID)
			}
			changes, err := changesCell(ev)
			if err != nil {
				return written, err
			}
			err = e.write([]string{e.encodeID(ev.ID), timeCell(&ev.OccurredAt), actor,
				ev.ActorName, ev.Action, ev.TargetType, e.encodeID(ev.TargetID), changes,
				ev.RequestID})
			if err != nil {
				return written, err
			}
			written++
		}
		if err := e.endBatch(); err != nil {
			return written, err
		}
		if len(batch) < exportBatch {
			return written, nil
		}
		lastID = batch[len(batch)-1].ID
	}
}

func (e *Export) write(cells []string) error {
	for i, c := range cells {
		cells[i] = GuardFormula(c)
	}
	return e.w.Write(cells)
}

func (e *Export) endBatch() error {
	e.w.Flush()
	if err := e.w.Error(); err != nil {
		return err
	}
	e.flush()
	return nil
}

// GuardFormula defuses a cell that a spreadsheet would run as a formula:
// one starting with = + - @ (or a tab or carriage return, which some
// spreadsheets skip before those) gets a leading apostrophe.
func GuardFormula(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

func changesCell(ev *ent.AuditEvent) (string, error) {
	if len(ev.Changes) == 0 {
		return "", nil
	}
	b, err := json.Marshal(ev.Changes)
	if err != nil {
		return "", fmt.Errorf("reports: encoding the changes of event %d: %w", ev.ID, err)
	}
	return string(b), nil
}

func timeCell(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// SearchUsers matches users whose username, names or email contain text,
// ignoring case, as the users list's search does.
func SearchUsers(text string) predicate.User {
	return user.Or(
		user.UsernameContainsFold(text),
		user.FirstNameContainsFold(text),
		user.LastNameContainsFold(text),
		user.EmailContainsFold(text),
	)
}
