package server_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"accountd/internal/clock"
	"accountd/internal/demo"
	"accountd/internal/playground"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

// newBrowser starts a headless Chromium at path for the test, with the
// flags that keep it from reaching out to the network, and returns its
// context; the browser ends with the test.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	return ctx
}

// chromiumPath returns the browser to drive. Without one the test skips on
// a workstation and fails in CI, where the browser is part of the set-up.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium binary on PATH; CI must install one (apt-get install chromium)")
	}
	t.Skip("no Chromium binary on PATH; install chromium to run the playground test")
	return ""
}

// playgroundPage is the data of the playground's default query.
type playgroundPage struct {
	Users struct {
		TotalCount int
		Edges      []struct {
			Node struct{ Username, Status string }
		}
	}
}

// pageLog collects what the page did, from the browser's event loop.
type pageLog struct {
	mu       sync.Mutex
	requests []*network.Request
	problems []string
}

func (l *pageLog) record(ev any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		l.requests = append(l.requests, e.Request)
	case *runtime.EventExceptionThrown:
		l.problems = append(l.problems, "exception: "+exceptionText(e.ExceptionDetails))
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError {
			l.problems = append(l.problems, "console: "+e.Entry.Text+" "+e.Entry.URL)
		}
	}
}

func (l *pageLog) snapshot() ([]*network.Request, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*network.Request(nil), l.requests...), append([]string(nil), l.problems...)
}

// headersEditorScript finds the headers editor: the CodeMirror editor that
// holds a JSON object with an Authorization member.
const headersEditorScript = `[...document.querySelectorAll('.CodeMirror')].map(e => e.CodeMirror)` +
	`.filter(cm => /^\s*\{\s*"Authorization"/.test(cm.getValue()))`

func TestPlaygroundRunsAQueryOffline(t *testing.T) {
	browser := chromiumPath(t)
	db := testdb.Engines()[0].Open(t)
	clk := clock.NewManual(fixedNow)
	if _, err := demo.Seed(t.Context(), db.Client, clk); err != nil {
		t.Fatal(err)
	}
	api := testauth.AdminClient(t, db, testauth.Handler(t, db, clk))
	playgroundToken := "Bearer " + api.Token
	var want playgroundPage
	api.Do(t, playground.DefaultQuery, nil).MustData(t, &want)

	ctx := newBrowser(t, browser)
	var page pageLog
	if err := chromedp.Listen(ctx, page.record); err != nil {
		t.Fatal(err)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(api.URL+"/")); err != nil {
		t.Fatal(err)
	}
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](headersEditorScript+`.length === 1`))
	if err != nil {
		t.Fatalf("headers editor did not appear: %v", err)
	}
	headers, _ := json.Marshal(map[string]string{"Authorization": playgroundToken})
	headersLiteral, _ := json.Marshal(string(headers))
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](headersEditorScript+`.map(cm => (cm.setValue(`+string(headersLiteral)+`), true))[0]`))
	if err != nil {
		t.Fatalf("setting the header: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".graphiql-execute-button"))); err != nil {
		t.Fatalf("running the query: %v", err)
	}
	result, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => {
		const cm = document.querySelector('.graphiql-response .CodeMirror');
		const text = cm && cm.CodeMirror.getValue();
		return text && text.includes('"data"') ? text : false;
	})()`))
	if err != nil {
		t.Fatalf("no result on the page: %v", err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".graphiql-response")))
	if err != nil {
		t.Fatal(err)
	}

	var got struct{ Data json.RawMessage }
	if err := json.Unmarshal([]byte(result), &got); err != nil {
		t.Fatalf("result pane holds no JSON: %v\n%s", err, result)
	}
	var gotData playgroundPage
	if err := json.Unmarshal(got.Data, &gotData); err != nil {
		t.Fatal(err)
	}
	if gotData.Users.TotalCount != want.Users.TotalCount || len(gotData.Users.Edges) != 5 ||
		gotData.Users.Edges[0].Node.Username != want.Users.Edges[0].Node.Username {
		t.Fatalf("page shows %s, want the API's answer %+v", result, want)
	}
	if first := want.Users.Edges[0].Node.Username; !strings.Contains(shown, first) {
		t.Fatalf("the response pane does not show %q:\n%s", first, shown)
	}

	requests, problems := page.snapshot()
	if len(problems) > 0 {
		t.Fatalf("the page reported problems:\n%s", strings.Join(problems, "\n"))
	}
	sentToken := false
	for _, r := range requests {
		u, err := url.Parse(r.URL)
		if err != nil {
			t.Fatalf("request to unparsable URL %q", r.URL)
		}
		if u.Scheme != "data" && u.Hostname() != "127.0.0.1" {
			t.Errorf("the page requested %s, outside 127.0.0.1", r.URL)
		}
		if strings.HasSuffix(u.Path, "/graphql") && r.Headers["Authorization"] == playgroundToken {
			sentToken = true
		}
	}
	if len(requests) < 5 {
		t.Fatalf("recorded only %d requests; the recorder missed the page load", len(requests))
	}
	if !sentToken {
		t.Fatalf("no request to /graphql carried the Authorization header from the editor")
	}
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return d.Text
}
