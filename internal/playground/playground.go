// Package playground serves GraphiQL from assets embedded in the binary, so
// the playground works on hosts without internet access. refresh.sh
// replaces the assets; VERSIONS in the assets directory says which ones
// are embedded.
package playground

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"time"
)

// DefaultQuery is the document the editor opens with.
const DefaultQuery = `# Log in with the login mutation, paste its token into the Authorization
# header below, then run.
{
  viewer {
    username
  }
  users(first: 5) {
    totalCount
    edges {
      node {
        username
        status
      }
    }
  }
}
`

// DefaultHeaders is the text the headers editor opens with.
const DefaultHeaders = `{"Authorization": "Bearer <paste the token from login>"}`

// contentSecurityPolicy lets the page load only what this server serves
// and send requests only to it; GraphiQL sets inline styles and its
// stylesheet embeds its fonts and icons as data URLs.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

//go:embed assets/*.js assets/*.css assets/LICENSE.* assets/VERSIONS
var assets embed.FS

//go:embed page.html playground.js
var own embed.FS

var pageTemplate = template.Must(template.ParseFS(own, "page.html"))

// Options configures the playground page.
type Options struct {
	// Endpoint is the path of the GraphQL API the page sends queries to.
	Endpoint string
	// Query is the document the editor opens with; DefaultQuery when empty.
	Query string
	// Headers is the text the headers editor opens with; DefaultHeaders
	// when empty.
	Headers string
}

// Handler serves the page at / and its assets under /playground/.
func Handler(opts Options) http.Handler {
	if opts.Query == "" {
		opts.Query = DefaultQuery
	}
	if opts.Headers == "" {
		opts.Headers = DefaultHeaders
	}
	var page bytes.Buffer
	if err := pageTemplate.Execute(&page, opts); err != nil {
		panic(err) // The template and its data are fixed: this is a programming error.
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(page.Bytes())
	})
	mux.HandleFunc("GET /playground/{file}", serveAsset)
	return mux
}

// serveAsset serves one embedded file with an ETag of its content, so a
// browser revalidates it cheaply and never keeps a stale bundle after an
// upgrade.
func serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	content, err := readAsset(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(content)
	h := w.Header()
	h.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(content))
}

func readAsset(name string) ([]byte, error) {
	if name == "playground.js" {
		return own.ReadFile(name)
	}
	return fs.ReadFile(assets, path.Join("assets", name))
}
