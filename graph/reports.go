package graph

import (
	"fmt"
	"time"

	"accountd/graph/model"
	"accountd/internal/reports"
)

// expiringQuery checks the arguments of expiringAssignments.
func expiringQuery(before time.Time, kinds []reports.Kind, first *int, after *string,
	now time.Time) (reports.ExpiringQuery, error) {
	q := reports.ExpiringQuery{Now: now.UTC(), Before: before.UTC(), Kinds: kinds,
		First: defaultPageSize}
	if first != nil {
		if *first < 1 || *first > maxPageSize {
			return q, BadRequest(fmt.Sprintf("first must be between 1 and %d, got %d",
				maxPageSize, *first))
		}
		q.First = *first
	}
	if after != nil {
		c, err := reports.DecodeCursor(*after)
		if err != nil {
			return q, BadRequest("after: " + err.Error())
		}
		q.After = &c
	}
	return q, nil
}

// expiringConnection maps a page to its connection, without the total.
func expiringConnection(page *reports.ExpiringPage) *model.ExpiringAssignmentConnection {
	conn := &model.ExpiringAssignmentConnection{
		Edges:    make([]*model.ExpiringAssignmentEdge, len(page.Nodes)),
		PageInfo: &model.ExpiringAssignmentPageInfo{HasNextPage: page.HasNextPage},
	}
	for i, n := range page.Nodes {
		conn.Edges[i] = &model.ExpiringAssignmentEdge{Node: n,
			Cursor: reports.CursorOf(n).Encode()}
	}
	if len(conn.Edges) > 0 {
		conn.PageInfo.EndCursor = &conn.Edges[len(conn.Edges)-1].Cursor
	}
	return conn
}
