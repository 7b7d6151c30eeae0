// Package config reads accountd's settings from environment variables and
// command-line flags; a flag wins over its variable.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Config holds every setting of the server.
type Config struct {
	Listen      string
	DataDir     string
	DatabaseURL string
	// StatementCache is how many prepared read statements the database
	// connection keeps; 0 turns preparing off.
	StatementCache    int
	SecretKey         string
	BootstrapPassword string
	SMTPURL           string
	MailFrom          string
	PublicURL         string
	TOTPIssuer        string
	CORSOrigins       []string
	LogLevel          string
	LogFormat         string
	MaxQueryDepth     int
	QueryCostBudget   int
	MaxAliases        int
	MaxFieldRepeats   int
	PersistedQueries  int
	PlaygroundQuery   string
	ShutdownTimeout   time.Duration
	SweepInterval     time.Duration
	// ExpiryReminderDays are the days before an expiry on which its holder
	// is reminded; empty turns reminders off.
	ExpiryReminderDays []int
	Demo               bool

	SessionIdleTimeout time.Duration
	SessionMaxAge      time.Duration
	ReauthWindow       time.Duration
	LoginRatePerMinute int
	LoginRateBurst     int
}

// setting describes one configuration value: its variable, its flag (empty
// for secrets, which do not belong on a command line) and its default.
type setting struct {
	env, flag, def, help string
	set                  func(c *Config, v string) error
}

var settings = []setting{
	{"ACCOUNTD_LISTEN", "listen", "127.0.0.1:8080", "address to listen on",
		func(c *Config, v string) error { c.Listen = v; return nil }},
	{"ACCOUNTD_DATA_DIR", "data-dir", "./data", "directory of the SQLite file, dev key and .eml mail",
		func(c *Config, v string) error { c.DataDir = v; return nil }},
	{"ACCOUNTD_DATABASE_URL", "database-url", "", "sqlite:///path/file.db or postgres://…; empty: SQLite in the data directory",
		func(c *Config, v string) error { c.DatabaseURL = v; return nil }},
	{"ACCOUNTD_DATABASE_STATEMENT_CACHE", "database-statement-cache", "256",
		"prepared read statements kept (LRU); 0 turns preparing off, for a pooler in transaction mode",
		func(c *Config, v string) error { return wholeNumber(&c.StatementCache, v) }},
	{"ACCOUNTD_SECRET_KEY", "", "", "base64 32-byte key encrypting TOTP secrets; empty: generated into the data directory",
		func(c *Config, v string) error { c.SecretKey = v; return nil }},
	{"ACCOUNTD_BOOTSTRAP_PASSWORD", "", "", "password of the first admin; empty: generated and printed once",
		func(c *Config, v string) error { c.BootstrapPassword = v; return nil }},
	{"ACCOUNTD_SMTP_URL", "", "", "smtp://user:pass@host:port (smtps:// for TLS); empty: .eml files in the data directory",
		func(c *Config, v string) error { c.SMTPURL = v; return nil }},
	{"ACCOUNTD_MAIL_FROM", "mail-from", "accountd@localhost", "sender address of emails",
		func(c *Config, v string) error { c.MailFrom = v; return nil }},
	{"ACCOUNTD_PUBLIC_URL", "public-url", "", "base of links in emails; empty: http:// and the listen address",
		func(c *Config, v string) error { c.PublicURL = strings.TrimSuffix(v, "/"); return nil }},
	{"ACCOUNTD_TOTP_ISSUER", "totp-issuer", "accountd", "name authenticator apps show for two-factor keys",
		func(c *Config, v string) error { return nonEmpty(&c.TOTPIssuer, v) }},
	{"ACCOUNTD_CORS_ORIGINS", "cors-origins", "", "comma-separated origins allowed to call the API from a browser",
		func(c *Config, v string) error { c.CORSOrigins = splitList(v); return nil }},
	{"ACCOUNTD_LOG_LEVEL", "log-level", "info", "debug, info, warn or error",
		func(c *Config, v string) error { c.LogLevel = v; return nil }},
	{"ACCOUNTD_LOG_FORMAT", "log-format", "text", "text or json",
		func(c *Config, v string) error { c.LogFormat = v; return nil }},
	{"ACCOUNTD_MAX_QUERY_DEPTH", "max-query-depth", "15", "deepest GraphQL selection accepted",
		func(c *Config, v string) error { return positiveInt(&c.MaxQueryDepth, v) }},
	{"ACCOUNTD_QUERY_COST_BUDGET", "query-cost-budget", "50000", "largest GraphQL operation cost: page sizes times enclosing page sizes",
		func(c *Config, v string) error { return positiveInt(&c.QueryCostBudget, v) }},
	{"ACCOUNTD_MAX_ALIASES", "max-aliases", "50", "most aliased fields in a GraphQL document",
		func(c *Config, v string) error { return positiveInt(&c.MaxAliases, v) }},
	{"ACCOUNTD_MAX_FIELD_REPEATS", "max-field-repeats", "10", "most times a field or fragment may recur in one selection set",
		func(c *Config, v string) error { return positiveInt(&c.MaxFieldRepeats, v) }},
	{"ACCOUNTD_PERSISTED_QUERY_CACHE", "persisted-query-cache", "1000", "automatic persisted queries remembered (LRU)",
		func(c *Config, v string) error { return positiveInt(&c.PersistedQueries, v) }},
	{"ACCOUNTD_PLAYGROUND_QUERY", "", "", "document the playground opens with; empty: a first page of users",
		func(c *Config, v string) error { c.PlaygroundQuery = v; return nil }},
	{"ACCOUNTD_SHUTDOWN_TIMEOUT", "shutdown-timeout", "10s", "how long in-flight requests may finish on SIGTERM",
		func(c *Config, v string) error { return duration(&c.ShutdownTimeout, v) }},
	{"ACCOUNTD_SESSION_IDLE_TIMEOUT", "session-idle-timeout", "30m", "a session not used for this long ends",
		func(c *Config, v string) error { return duration(&c.SessionIdleTimeout, v) }},
	{"ACCOUNTD_SESSION_MAX_AGE", "session-max-age", "12h", "a session ends this long after its login, used or not",
		func(c *Config, v string) error { return duration(&c.SessionMaxAge, v) }},
	{"ACCOUNTD_REAUTH_WINDOW", "reauth-window", "15m", "how long after a login or reauthenticate assignment changes are allowed",
		func(c *Config, v string) error { return duration(&c.ReauthWindow, v) }},
	{"ACCOUNTD_LOGIN_RATE_PER_MINUTE", "login-rate-per-minute", "10", "login attempts a minute per client address and per username, per instance",
		func(c *Config, v string) error { return positiveInt(&c.LoginRatePerMinute, v) }},
	{"ACCOUNTD_LOGIN_RATE_BURST", "login-rate-burst", "10", "login attempts allowed at once before the rate applies",
		func(c *Config, v string) error { return positiveInt(&c.LoginRateBurst, v) }},
	{"ACCOUNTD_SWEEP_INTERVAL", "sweep-interval", "1m", "time between two runs of the background sweeper (expiries, unlocks, inactivity, email)",
		func(c *Config, v string) error { return duration(&c.SweepInterval, v) }},
	{"ACCOUNTD_EXPIRY_REMINDER_DAYS", "expiry-reminder-days", "14,1", "days before a role or group expires on which its holder is emailed; \"off\" for none",
		func(c *Config, v string) error { return dayList(&c.ExpiryReminderDays, v) }},
}

// Load reads the settings for the serve command from the environment, as
// getenv reports it, and from args. --demo exists only as a flag. Usage
// and --help output go to out.
func Load(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(out)
	values := make(map[string]*string, len(settings))
	for _, s := range settings {
		v := s.def
		if env := getenv(s.env); env != "" {
			v = env
		}
		values[s.env] = &v
		if s.flag != "" {
			fs.StringVar(values[s.env], s.flag, v, s.help+" ("+s.env+")")
		}
	}
	fs.BoolVar(&c.Demo, "demo", false, "load a demo catalog and 200 users into an empty database")
	fs.Usage = func() { usage(out, fs) }
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, s := range settings {
		if err := s.set(&c, *values[s.env]); err != nil {
			return Config{}, fmt.Errorf("%s: %w", s.env, err)
		}
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Listen
	}
	return c, nil
}

func usage(out io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(out, "Usage: accountd serve [flags]")
	fmt.Fprintln(out, "\nServes the GraphQL API. Every setting comes from its environment")
	fmt.Fprintln(out, "variable; a flag, where there is one, overrides it.")
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tFLAG\tDEFAULT\tMEANING")
	for _, s := range settings {
		f := "(environment only)"
		if s.flag != "" {
			f = "--" + s.flag
		}
		def := s.def
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.env, f, def, s.help)
	}
	fmt.Fprintf(tw, "\t--demo\tfalse\tload a demo catalog and 200 users into an empty database\n")
	_ = tw.Flush()
}

func splitList(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func nonEmpty(dst *string, v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return errors.New("must not be empty")
	}
	*dst = v
	return nil
}

func positiveInt(dst *int, v string) error { return intAtLeast(dst, v, 1) }

func wholeNumber(dst *int, v string) error { return intAtLeast(dst, v, 0) }

func intAtLeast(dst *int, v string, least int) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < least {
		return fmt.Errorf("%q is not a whole number of at least %d", v, least)
	}
	*dst = n
	return nil
}

// dayList reads comma-separated whole days between 1 and 365; "off"
// means none.
func dayList(dst *[]int, v string) error {
	if strings.EqualFold(strings.TrimSpace(v), "off") {
		*dst = nil
		return nil
	}
	parts := splitList(v)
	if len(parts) == 0 {
		return errors.New(`must list days such as 14,1, or be "off"`)
	}
	days := make([]int, 0, len(parts))
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 365 {
			return fmt.Errorf("%q is not a number of days from 1 to 365", p)
		}
		days = append(days, n)
	}
	*dst = days
	return nil
}

func duration(dst *time.Duration, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return errors.New("must be a positive duration such as 10s or 15m")
	}
	*dst = d
	return nil
}
