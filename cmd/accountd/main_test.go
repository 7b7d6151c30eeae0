package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"accountd/internal/testapi"
)

func TestCommands(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		wantOut string
	}{
		{"version", []string{"version"}, false, "accountd dev"},
		{"help", []string{"help"}, false, "Commands:"},
		{"no command", nil, true, ""},
		{"unknown command", []string{"frobnicate"}, true, ""},
		{"serve help", []string{"serve", "--help"}, true, "ACCOUNTD_SECRET_KEY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tc.args, func(string) string { return "" }, strings.NewReader(""), &out, &out)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Fatalf("output lacks %q:\n%s", tc.wantOut, out.String())
			}
		})
	}
}

func TestServeHelpListsEveryVariable(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve", "--help"}, func(string) string { return "" },
		strings.NewReader(""), &out, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	for _, v := range []string{"ACCOUNTD_LISTEN", "ACCOUNTD_DATA_DIR", "ACCOUNTD_DATABASE_URL",
		"ACCOUNTD_SECRET_KEY", "ACCOUNTD_BOOTSTRAP_PASSWORD", "ACCOUNTD_SMTP_URL", "ACCOUNTD_MAIL_FROM",
		"ACCOUNTD_PUBLIC_URL", "ACCOUNTD_CORS_ORIGINS", "ACCOUNTD_LOG_LEVEL", "ACCOUNTD_LOG_FORMAT"} {
		if !strings.Contains(out.String(), v) {
			t.Errorf("serve --help does not list %s", v)
		}
	}
}

// TestShutdownLetsInFlightRequestsFinish starts a slow request, asks the
// server to stop, and checks that the request still gets its answer.
func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "finished")
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveUntilDone(ctx, srv, ln, 10*time.Second, testapi.Logger(t)) }()

	body := make(chan string, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String())
		if err != nil {
			body <- "error: " + err.Error()
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		body <- string(b)
	}()
	<-started
	cancel()
	// The listener closes at once; the in-flight request is still served.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	if got := <-body; got != "finished" {
		t.Fatalf("in-flight request got %q", got)
	}
	if err := <-done; err != nil {
		t.Fatalf("serveUntilDone = %v", err)
	}
}
