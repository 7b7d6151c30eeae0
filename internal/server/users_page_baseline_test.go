package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"entgo.io/contrib/entgql"

	"accountd/graph/scalar"
	"accountd/internal/storage"
	"accountd/internal/testdb"
)

// The baseline types encode the same JSON as the GraphQL users page query.
type (
	baselineResponse struct {
		Data struct {
			Users baselineConnection `json:"users"`
		} `json:"data"`
	}
	baselineConnection struct {
		TotalCount int `json:"totalCount"`
		PageInfo   struct {
			HasNextPage bool    `json:"hasNextPage"`
			EndCursor   *string `json:"endCursor"`
		} `json:"pageInfo"`
		Edges []baselineEdge `json:"edges"`
	}
	baselineEdge struct {
		Node *baselineUser `json:"node"`
	}
	baselineUser struct {
		ID               string               `json:"id"`
		Username         string               `json:"username"`
		RoleAssignments  []baselineAssignment `json:"roleAssignments"`
		GroupMemberships []baselineMembership `json:"groupMemberships"`
		Organizations    []baselineCode       `json:"organizations"`
		FormSpaces       []baselineFormSpace  `json:"formSpaces"`
	}
	baselineAssignment struct {
		Role      baselineName `json:"role"`
		ExpiresAt *time.Time   `json:"expiresAt"`
		Expired   bool         `json:"expired"`
	}
	baselineMembership struct {
		Group     baselineName `json:"group"`
		ExpiresAt *time.Time   `json:"expiresAt"`
		Expired   bool         `json:"expired"`
	}
	baselineFormSpace struct {
		Code            string       `json:"code"`
		SecurityManager baselineName `json:"securityManager"`
	}
	baselineCode struct {
		Code string `json:"code"`
	}
	baselineName struct {
		Name string `json:"name"`
	}
)

// baselineLoader reads the users page with hand-written SQL, one statement
// a table as ent's eager loading does, to show what GraphQL and ent cost
// on top of the same reads.
type baselineLoader struct {
	db       *sql.DB
	postgres bool
}

func newBaselineLoader(db *storage.DB) *baselineLoader {
	return &baselineLoader{db: db.SQL, postgres: testdb.IsPostgres(db)}
}

// userLink is a row that ties a user to a catalog entry known by ID, read
// before the entry's name.
type userLink struct {
	user      *baselineUser
	code      string
	targetID  int
	expiresAt *time.Time
}

// writePage writes the page of size users after the user afterID as JSON.
func (l *baselineLoader) writePage(ctx context.Context, w io.Writer, afterID, size int) error {
	var conn baselineConnection
	err := l.db.QueryRowContext(ctx, `SELECT COUNT(id) FROM users`).Scan(&conn.TotalCount)
	if err != nil {
		return err
	}
	users, ids, err := l.users(ctx, afterID, size+1)
	if err != nil {
		return err
	}
	if len(users) > size {
		conn.PageInfo.HasNextPage = true
		users, ids = users[:size], ids[:size]
	}
	conn.Edges = make([]baselineEdge, len(users))
	byID := make(map[int]*baselineUser, len(users))
	for i, u := range users {
		conn.Edges[i].Node = u
		byID[ids[i]] = u
	}
	if len(ids) > 0 {
		cursor := encodeCursor(ids[len(ids)-1])
		conn.PageInfo.EndCursor = &cursor
	}

	if err := l.loadOrganizations(ctx, byID, ids); err != nil {
		return err
	}
	if err := l.loadFormSpaces(ctx, byID, ids); err != nil {
		return err
	}
	now := time.Now()
	if err := l.loadRoleAssignments(ctx, byID, ids, now); err != nil {
		return err
	}
	if err := l.loadGroupMemberships(ctx, byID, ids, now); err != nil {
		return err
	}

	var res baselineResponse
	res.Data.Users = conn
	return json.NewEncoder(w).Encode(res)
}

func (l *baselineLoader) users(ctx context.Context, afterID, limit int) ([]*baselineUser, []int, error) {
	rows, err := l.db.QueryContext(ctx,
		l.rebind(`SELECT id, username FROM users WHERE id > ? ORDER BY id LIMIT ?`), afterID, limit)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var users []*baselineUser
	var ids []int
	for rows.Next() {
		var id int
		u := &baselineUser{
			RoleAssignments:  []baselineAssignment{},
			GroupMemberships: []baselineMembership{},
			Organizations:    []baselineCode{},
			FormSpaces:       []baselineFormSpace{},
		}
		if err := rows.Scan(&id, &u.Username); err != nil {
			return nil, nil, err
		}
		u.ID = scalar.EncodeID(id)
		users = append(users, u)
		ids = append(ids, id)
	}
	return users, ids, rows.Err()
}

func (l *baselineLoader) loadOrganizations(ctx context.Context, byID map[int]*baselineUser, ids []int) error {
	return l.queryIn(ctx, `SELECT t.user_id, o.code FROM organizations o`+
		` JOIN user_organizations t ON o.id = t.organization_id WHERE t.user_id IN`, ids,
		func(rows *sql.Rows) error {
			var userID int
			var org baselineCode
			if err := rows.Scan(&userID, &org.Code); err != nil {
				return err
			}
			u := byID[userID]
			u.Organizations = append(u.Organizations, org)
			return nil
		})
}

func (l *baselineLoader) loadFormSpaces(ctx context.Context, byID map[int]*baselineUser, ids []int) error {
	var links []userLink
	err := l.queryIn(ctx, `SELECT t.user_id, f.code, f.security_manager_id FROM form_spaces f`+
		` JOIN user_form_spaces t ON f.id = t.form_space_id WHERE t.user_id IN`, ids,
		func(rows *sql.Rows) error {
			var userID int
			var link userLink
			if err := rows.Scan(&userID, &link.code, &link.targetID); err != nil {
				return err
			}
			link.user = byID[userID]
			links = append(links, link)
			return nil
		})
	if err != nil {
		return err
	}
	names, err := l.names(ctx, "security_managers", links)
	if err != nil {
		return err
	}
	for _, link := range links {
		link.user.FormSpaces = append(link.user.FormSpaces, baselineFormSpace{
			Code:            link.code,
			SecurityManager: baselineName{Name: names[link.targetID]},
		})
	}
	return nil
}

func (l *baselineLoader) loadRoleAssignments(ctx context.Context, byID map[int]*baselineUser, ids []int, now time.Time) error {
	links, err := l.expiringLinks(ctx, `SELECT user_id, role_id, expires_at FROM role_assignments`+
		` WHERE user_id IN`, byID, ids)
	if err != nil {
		return err
	}
	names, err := l.names(ctx, "roles", links)
	if err != nil {
		return err
	}
	for _, link := range links {
		if expiredAt(link.expiresAt, now) {
			continue
		}
		link.user.RoleAssignments = append(link.user.RoleAssignments, baselineAssignment{
			Role:      baselineName{Name: names[link.targetID]},
			ExpiresAt: link.expiresAt,
		})
	}
	return nil
}

func (l *baselineLoader) loadGroupMemberships(ctx context.Context, byID map[int]*baselineUser, ids []int, now time.Time) error {
	links, err := l.expiringLinks(ctx, `SELECT user_id, group_id, expires_at FROM group_memberships`+
		` WHERE user_id IN`, byID, ids)
	if err != nil {
		return err
	}
	names, err := l.names(ctx, "groups", links)
	if err != nil {
		return err
	}
	for _, link := range links {
		if expiredAt(link.expiresAt, now) {
			continue
		}
		link.user.GroupMemberships = append(link.user.GroupMemberships, baselineMembership{
			Group:     baselineName{Name: names[link.targetID]},
			ExpiresAt: link.expiresAt,
		})
	}
	return nil
}

// expiringLinks reads (user, target, expiry) rows of an edge table.
func (l *baselineLoader) expiringLinks(ctx context.Context, query string, byID map[int]*baselineUser, ids []int) ([]userLink, error) {
	var links []userLink
	err := l.queryIn(ctx, query, ids, func(rows *sql.Rows) error {
		var userID int
		var link userLink
		var expiresAt sql.NullTime
		if err := rows.Scan(&userID, &link.targetID, &expiresAt); err != nil {
			return err
		}
		if expiresAt.Valid {
			t := expiresAt.Time.UTC()
			link.expiresAt = &t
		}
		link.user = byID[userID]
		links = append(links, link)
		return nil
	})
	return links, err
}

// names reads the names of the rows of table that links point at.
func (l *baselineLoader) names(ctx context.Context, table string, links []userLink) (map[int]string, error) {
	names := map[int]string{}
	var ids []int
	for _, link := range links {
		if _, ok := names[link.targetID]; !ok {
			names[link.targetID] = ""
			ids = append(ids, link.targetID)
		}
	}
	err := l.queryIn(ctx, `SELECT id, name FROM `+table+` WHERE id IN`, ids,
		func(rows *sql.Rows) error {
			var id int
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			names[id] = name
			return nil
		})
	return names, err
}

// queryIn runs query followed by a list of the ids and calls scan on
// every row.
func (l *baselineLoader) queryIn(ctx context.Context, query string, ids []int, scan func(*sql.Rows) error) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	marks := strings.Repeat("?, ", len(ids))
	rows, err := l.db.QueryContext(ctx, l.rebind(query+" ("+marks[:len(marks)-2]+")"), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// rebind turns the ? placeholders of query into PostgreSQL's $1, $2, ….
func (l *baselineLoader) rebind(query string) string {
	if !l.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r != '?' {
			b.WriteRune(r)
			continue
		}
		n++
		b.WriteString("$" + strconv.Itoa(n))
	}
	return b.String()
}

// encodeCursor writes the cursor that the users connection gives the user
// id under the default order.
func encodeCursor(id int) string {
	var b bytes.Buffer
	entgql.Cursor[int]{ID: id, Value: []any{id}}.MarshalGQL(&b)
	return strings.Trim(b.String(), `"`)
}

// expiredAt mirrors the API's rule: an expiry passes at the very instant
// it names; nil means permanent.
func expiredAt(expiresAt *time.Time, now time.Time) bool {
	return expiresAt != nil && !expiresAt.After(now)
}
