package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"accountd/ent"
	"accountd/ent/outboxmessage"
	"accountd/graph/scalar"
	"accountd/internal/authz"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
	"accountd/internal/twofactor"
)

// postForm posts values to the page at path and returns the status and the
// HTML.
func postForm(t *testing.T, base, path string, values url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(base+path, values)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func getPage(t *testing.T, link string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body), resp.Header
}

// local turns an emailed link into one on the test server.
func local(t *testing.T, base, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return base + u.RequestURI()
}

func TestTwoFactorConfirmPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		env := newTFEnv(t, e)
		carol := env.eligibleUser(t, "carol")
		env.keyMutation(t, env.api, "createTwoFactorKey", carol.ID)
		mail := env.latestEmail(t, carol)

		status, body, header := getPage(t, local(t, env.api.URL, mail.Link))
		if status != http.StatusOK || !strings.Contains(body, `<label for="code">`) ||
			!strings.Contains(body, `value="`+mail.Token+`"`) {
			t.Fatalf("GET gave %d:\n%s", status, body)
		}
		if csp := header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Fatalf("Content-Security-Policy = %q", csp)
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "http://") || strings.Contains(body, "https://") {
			t.Fatal("the page loads scripts or external assets")
		}

		tests := []struct {
			name, code string
			status     int
			want       string
		}{
			{"letters", "12ab56", http.StatusUnprocessableEntity, "6 digits, without spaces or letters"},
			{"short", "123", http.StatusUnprocessableEntity, "6 digits, without spaces or letters"},
			{"wrong", wrongCode(t, mail.Secret, env), http.StatusUnprocessableEntity, "the code is wrong or too old"},
			{"right", code(t, mail.Secret, env.clk.Now()), http.StatusOK, "Two-factor authentication is set up"},
			{"used link", code(t, mail.Secret, env.clk.Now()), http.StatusUnprocessableEntity, "already used"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, body := postForm(t, env.api.URL, twofactor.ConfirmPath,
					url.Values{"token": {mail.Token}, "code": {tt.code}})
				if status != tt.status || !strings.Contains(body, tt.want) {
					t.Fatalf("POST gave %d, want %d with %q:\n%s", status, tt.status, tt.want, body)
				}
			})
		}
		status, body = postForm(t, env.api.URL, twofactor.ConfirmPath,
			url.Values{"token": {"nonsense"}, "code": {"123456"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "malformed") ||
			strings.Contains(body, "<form") {
			t.Fatalf("a malformed token gave %d:\n%s", status, body)
		}
	})
}

// wrongCode returns a code that is not valid now.
func wrongCode(t *testing.T, secret string, env *tfEnv) string {
	t.Helper()
	for _, c := range []string{"000000", "111111", "222222"} {
		valid := false
		for _, d := range []time.Duration{-twofactor.Period, 0, twofactor.Period} {
			valid = valid || c == code(t, secret, env.clk.Now().Add(d))
		}
		if !valid {
			return c
		}
	}
	t.Fatal("no wrong code found")
	return ""
}

var resetLinkPattern = regexp.MustCompile(`https://accounts\.example\.com/password/reset\?token=\S+`)

func TestPasswordResetPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		env := newTFEnv(t, e)
		dave := testauth.CreateUser(t, env.db, testauth.UserSpec{Username: "dave"})
		env.api.Do(t, `mutation($input: ResetPasswordInput!) { resetPassword(input: $input) { userErrors { code } } }`,
			map[string]any{"input": map[string]any{"userId": scalar.EncodeID(dave.ID), "sendResetEmail": true}}).
			MustData(t, &struct{}{})
		m, err := env.db.Client.OutboxMessage.Query().
			Where(outboxmessage.Recipient(dave.Email)).
			Order(ent.Desc(outboxmessage.FieldID)).First(authz.SystemContext(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		link := resetLinkPattern.FindString(m.BodyText)
		if link == "" {
			t.Fatalf("no reset link in:\n%s", m.BodyText)
		}
		u, _ := url.Parse(link)
		token := u.Query().Get("token")

		status, body, _ := getPage(t, local(t, env.api.URL, link))
		if status != http.StatusOK || !strings.Contains(body, `<label for="password">`) ||
			!strings.Contains(body, `<label for="confirm">`) {
			t.Fatalf("GET gave %d:\n%s", status, body)
		}
		const good = "Amber-Kettle-Harbor-58"
		tests := []struct {
			name, password, again string
			status                int
			want                  []string
		}{
			{"different", good, good + "x", http.StatusUnprocessableEntity, []string{"the two passwords differ"}},
			{"empty", "", "", http.StatusUnprocessableEntity, []string{"enter the new password"}},
			{"weak", "abc", "abc", http.StatusUnprocessableEntity, []string{"<li>", "12"}},
			{"good", good, good, http.StatusOK, []string{"Your password is set"}},
			{"used link", good, good, http.StatusUnprocessableEntity, []string{"unknown, used or expired"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, body := postForm(t, env.api.URL, "/password/reset",
					url.Values{"token": {token}, "password": {tt.password}, "confirm": {tt.again}})
				if status != tt.status {
					t.Fatalf("POST gave %d, want %d:\n%s", status, tt.status, body)
				}
				for _, w := range tt.want {
					if !strings.Contains(body, w) {
						t.Fatalf("the page lacks %q:\n%s", w, body)
					}
				}
				if tt.name == "weak" && strings.Count(body, "<li>") < 3 {
					t.Fatalf("a weak password should list each broken rule:\n%s", body)
				}
			})
		}
		var out struct{ Login struct{ Token *string } }
		env.anon.Do(t, `mutation($input: LoginInput!) { login(input: $input) { token } }`,
			map[string]any{"input": map[string]any{"username": "dave", "password": good}}).MustData(t, &out)
		if out.Login.Token == nil {
			t.Fatal("the new password does not log in")
		}
	})
}

// TestTwoFactorConfirmPageInBrowser opens the emailed link in headless
// Chromium, types the code and submits, as a user would.
func TestTwoFactorConfirmPageInBrowser(t *testing.T) {
	browser := chromiumPath(t)
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		if e.Name != "sqlite" {
			t.Skip("the page does not depend on the engine")
		}
		env := newTFEnv(t, e)
		erin := env.eligibleUser(t, "erin")
		env.keyMutation(t, env.api, "createTwoFactorKey", erin.ID)
		mail := env.latestEmail(t, erin)

		ctx := newBrowser(t, browser)
		ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
		defer cancelTimeout()

		submit := func(t *testing.T, code string) string {
			t.Helper()
			err := chromedp.Do(ctx,
				chromedp.Navigate(local(t, env.api.URL, mail.Link)),
				chromedp.WaitVisible(chromedp.CSS("#code")),
				chromedp.SendKeys(chromedp.CSS("#code"), code),
				chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS(`[role="status"], [role="alert"]`)),
			)
			if err != nil {
				t.Fatal(err)
			}
			text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			if err != nil {
				t.Fatal(err)
			}
			return text
		}
		if text := submit(t, wrongCode(t, mail.Secret, env)); !strings.Contains(text, "The key was not confirmed") ||
			!strings.Contains(text, "the code is wrong or too old") {
			t.Fatalf("a wrong code shows:\n%s", text)
		}
		if text := submit(t, code(t, mail.Secret, env.clk.Now())); !strings.Contains(text, "Two-factor authentication is set up") {
			t.Fatalf("the right code shows:\n%s", text)
		}
	})
}
