package password

import (
	_ "embed"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"

	"accountd/ent"
)

// The rules of the policy, as stable codes that clients can rely on.
const (
	RuleTooShort         = "TOO_SHORT"
	RuleTooLong          = "TOO_LONG"
	RuleMissingLetter    = "MISSING_LETTER"
	RuleMissingDigit     = "MISSING_DIGIT"
	RuleMissingSymbol    = "MISSING_SYMBOL"
	RuleMissingMixedCase = "MISSING_MIXED_CASE"
	RuleContainsUsername = "CONTAINS_USERNAME"
	RuleCommon           = "COMMON_PASSWORD"
	RuleTooWeak          = "TOO_WEAK"
	RuleRecentlyUsed     = "RECENTLY_USED"
)

// Policy is the password policy of a security manager.
type Policy struct {
	MinLength, MaxLength int
	RequireDigit         bool // a letter and a digit
	RequireSymbol        bool // a character that is neither letter nor digit
	RequireMixedCase     bool // upper- and lower-case letters
	MinStrength          int  // zxcvbn score 0..4
	HistorySize          int  // previous passwords that may not be reused
}

// defaultPolicy matches the schema defaults of a security manager.
var defaultPolicy = Policy{
	MinLength: 12, MaxLength: 40, RequireDigit: true, RequireSymbol: true,
	RequireMixedCase: true, MinStrength: 3, HistorySize: 5,
}

// PolicyOf returns the policy of sm, or the default policy when sm is nil.
func PolicyOf(sm *ent.SecurityManager) Policy {
	if sm == nil {
		return defaultPolicy
	}
	return Policy{
		MinLength:        sm.PasswordMinLength,
		MaxLength:        sm.PasswordMaxLength,
		RequireDigit:     sm.PasswordRequireDigit,
		RequireSymbol:    sm.PasswordRequireSymbol,
		RequireMixedCase: sm.PasswordRequireMixedCase,
		MinStrength:      sm.PasswordMinStrength,
		HistorySize:      sm.PasswordHistorySize,
	}
}

// Inputs are the words of the user that a password must not be built on.
type Inputs struct {
	Username, FirstName, LastName, Email string
}

// Violation is one broken rule of the policy.
type Violation struct {
	// Rule is a stable code such as TOO_SHORT.
	Rule string
	// Message explains the rule to a person.
	Message string
}

//go:embed denylist.txt
var denyListText string

// denyList holds common passwords, lower-cased, that zxcvbn might score
// too kindly because they are long.
var denyList = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(denyListText, "\n") {
		if w := strings.TrimSpace(line); w != "" {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// maxScoredLength bounds the input given to zxcvbn, whose cost grows with
// the length; longer passwords are refused by TOO_LONG anyway.
const maxScoredLength = 256

// Check returns every rule pw breaks, in a stable order; none means the
// password is acceptable. history holds the hashes of the current and
// previous passwords, newest first; only the first HistorySize count.
func (p Policy) Check(pw string, in Inputs, history []string) []Violation {
	var out []Violation
	add := func(rule, msg string) { out = append(out, Violation{Rule: rule, Message: msg}) }
	n := utf8.RuneCountInString(pw)
	if n < p.MinLength {
		add(RuleTooShort, "The password must have at least "+strconv.Itoa(p.MinLength)+" characters.")
	}
	if p.MaxLength > 0 && n > p.MaxLength {
		add(RuleTooLong, "The password must have at most "+strconv.Itoa(p.MaxLength)+" characters.")
	}
	var letter, digit, symbol, upper, lower bool
	for _, r := range pw {
		switch {
		case unicode.IsLetter(r):
			letter = true
			upper = upper || unicode.IsUpper(r)
			lower = lower || unicode.IsLower(r)
		case unicode.IsDigit(r):
			digit = true
		default:
			symbol = true
		}
	}
	if p.RequireDigit && !letter {
		add(RuleMissingLetter, "The password must contain a letter.")
	}
	if p.RequireDigit && !digit {
		add(RuleMissingDigit, "The password must contain a digit.")
	}
	if p.RequireSymbol && !symbol {
		add(RuleMissingSymbol, "The password must contain a character that is neither a letter nor a digit.")
	}
	if p.RequireMixedCase && !(upper && lower) {
		add(RuleMissingMixedCase, "The password must contain upper- and lower-case letters.")
	}
	lowerPW := strings.ToLower(pw)
	if u := strings.ToLower(in.Username); u != "" && strings.Contains(lowerPW, u) {
		add(RuleContainsUsername, "The password must not contain the username.")
	}
	if denyList[lowerPW] {
		add(RuleCommon, "The password is one of the most common passwords.")
	} else if p.MinStrength > 0 && n <= maxScoredLength && score(pw, in) < p.MinStrength {
		add(RuleTooWeak, "The password is too easy to guess; use more unrelated words or characters.")
	}
	if reused(pw, history, p.HistorySize) {
		add(RuleRecentlyUsed, "The password was used recently; choose one not among the last "+
			strconv.Itoa(p.HistorySize)+".")
	}
	return out
}

func score(pw string, in Inputs) int {
	var inputs []string
	for _, s := range []string{in.Username, in.FirstName, in.LastName, in.Email} {
		if s != "" {
			inputs = append(inputs, s)
		}
	}
	if at := strings.IndexByte(in.Email, '@'); at > 0 {
		inputs = append(inputs, in.Email[:at])
	}
	return zxcvbn.PasswordStrength(pw, inputs).Score
}

func reused(pw string, history []string, size int) bool {
	if size < len(history) {
		history = history[:size]
	}
	for _, h := range history {
		if ok, err := Verify(h, pw); err == nil && ok {
			return true
		}
	}
	return false
}
