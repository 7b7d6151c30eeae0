// Package testapi drives accountd's real HTTP handler with GraphQL
// documents, for integration tests.
package testapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Client posts GraphQL documents to a test server.
type Client struct {
	// URL is the base URL of the server.
	URL string
	// Token, when set, is sent as a bearer token.
	Token string
	http  *http.Client
}

// Error is one GraphQL error of a response.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns extensions.code.
func (e Error) Code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

// Response is a decoded GraphQL response with its HTTP status.
type Response struct {
	Status     int
	Data       json.RawMessage `json:"data"`
	Errors     []Error         `json:"errors"`
	Extensions map[string]any  `json:"extensions"`
	Raw        []byte          `json:"-"`
}

// Serve starts h on a loopback test server, closed when the test ends.
func Serve(t testing.TB, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Client{URL: srv.URL, http: srv.Client()}
}

// WithToken returns a copy of the client that sends token.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.Token = token
	return &cp
}

// Do posts the query with its variables and decodes the response.
func (c *Client) Do(t testing.TB, query string, vars map[string]any) Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return c.Post(t, "application/json", body)
}

// Post sends a raw body to /graphql and decodes the response.
func (c *Client) Post(t testing.TB, contentType string, body []byte) Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	return c.send(t, req)
}

// Get sends a query as a GET request.
func (c *Client) Get(t testing.TB, rawQuery string) Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.URL+"/graphql?"+rawQuery, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.send(t, req)
}

func (c *Client) send(t testing.TB, req *http.Request) Response {
	t.Helper()
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := Response{Status: res.StatusCode, Raw: raw}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("decoding %s: %v", raw, err)
		}
	}
	out.Status = res.StatusCode
	out.Raw = raw
	return out
}

// MustData fails the test when the response has errors, and decodes its
// data into v.
func (r Response) MustData(t testing.TB, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %s", r.Raw)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decoding data %s: %v", r.Data, err)
	}
}

// ErrorCode returns the code of the first error, or "" when there is none.
func (r Response) ErrorCode() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Code()
}

// Logger returns a logger that writes into the test log, or discards when
// the tests run without -v.
func Logger(t testing.TB) *slog.Logger {
	t.Helper()
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}
