package playground

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, path string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func TestPage(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		wants []string
	}{
		{"defaults", Options{Endpoint: "/graphql"}, []string{
			`data-endpoint="/graphql"`,
			`data-query="# Log in with the login mutation`,
			`data-headers="{&#34;Authorization&#34;: &#34;Bearer &lt;paste the token from login&gt;&#34;}"`,
		}},
		{"a configured query is escaped", Options{Endpoint: "/graphql", Query: `{ a(b: "<c>") }`},
			[]string{`data-query="{ a(b: &#34;&lt;c&gt;&#34;) }"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, Handler(tc.opts), "/", nil)
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status = %d", res.StatusCode)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self'") {
				t.Fatalf("Content-Security-Policy = %q", csp)
			}
			for _, want := range tc.wants {
				if !strings.Contains(string(body), want) {
					t.Fatalf("page lacks %s:\n%s", want, body)
				}
			}
		})
	}
}

func TestAssets(t *testing.T) {
	h := Handler(Options{Endpoint: "/graphql"})
	tests := []struct {
		path, wantType string
		wantStatus     int
	}{
		{"/playground/graphiql.min.js", "text/javascript", http.StatusOK},
		{"/playground/graphiql.min.css", "text/css", http.StatusOK},
		{"/playground/react.production.min.js", "text/javascript", http.StatusOK},
		{"/playground/react-dom.production.min.js", "text/javascript", http.StatusOK},
		{"/playground/playground.js", "text/javascript", http.StatusOK},
		{"/playground/VERSIONS", "text/plain", http.StatusOK},
		{"/playground/missing.js", "text/plain", http.StatusNotFound},
		{"/playground/..%2fplayground.go", "text/plain", http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			res := get(t, h, tc.path, nil)
			if res.StatusCode != tc.wantStatus || !strings.HasPrefix(res.Header.Get("Content-Type"), tc.wantType) {
				t.Fatalf("GET %s = %d %q, want %d %q", tc.path, res.StatusCode,
					res.Header.Get("Content-Type"), tc.wantStatus, tc.wantType)
			}
			if tc.wantStatus != http.StatusOK {
				return
			}
			etag := res.Header.Get("ETag")
			again := get(t, h, tc.path, http.Header{"If-None-Match": {etag}})
			if etag == "" || again.StatusCode != http.StatusNotModified {
				t.Fatalf("revalidating with ETag %q = %d, want 304", etag, again.StatusCode)
			}
		})
	}
}
