package password

import (
	"strings"
	"testing"
)

// testParams keep hashing fast in tests.
var testParams = Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndVerify(t *testing.T) {
	h := Hasher{Params: testParams}
	enc, err := h.Hash("correct horse Battery 9!")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("encoding %q does not carry the parameters", enc)
	}
	tests := []struct {
		name string
		pw   string
		want bool
	}{
		{"same", "correct horse Battery 9!", true},
		{"different", "correct horse Battery 9?", false},
		{"empty", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Verify(enc, tc.pw)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, enc := range []string{
		"",
		"plain",
		"$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5",
		"$argon2id$v=18$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5",
		"$argon2id$v=19$m=0,t=1,p=1$c2FsdHNhbHQ$a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5",
		"$argon2id$v=19$m=1024,t=1,p=1$!!$a2V5",
	} {
		t.Run(enc, func(t *testing.T) {
			if _, err := Verify(enc, "x"); err != ErrMalformedHash {
				t.Fatalf("Verify error = %v, want ErrMalformedHash", err)
			}
		})
	}
}

func TestPolicyCheck(t *testing.T) {
	h := Hasher{Params: testParams}
	old, err := h.Hash("Older-Secret-Phrase-42")
	if err != nil {
		t.Fatal(err)
	}
	in := Inputs{Username: "maria.keller", FirstName: "Maria", LastName: "Keller",
		Email: "maria.keller@example.com"}
	p := PolicyOf(nil)
	tests := []struct {
		name string
		pw   string
		want []string
	}{
		{"acceptable", "Quiet-Lantern-Orbit-73", nil},
		{"too short", "Qx7!vB", []string{RuleTooShort, RuleTooWeak}},
		{"too long", "Quiet-Lantern-Orbit-73-" + strings.Repeat("z", 30), []string{RuleTooLong}},
		{"no letter", "1234-5678-9012-3456!", []string{RuleMissingLetter, RuleMissingMixedCase}},
		{"no digit", "Quiet-Lantern-Orbit-Zebra", []string{RuleMissingDigit}},
		{"no symbol", "QuietLanternOrbit73", []string{RuleMissingSymbol}},
		{"no mixed case", "quiet-lantern-orbit-73", []string{RuleMissingMixedCase}},
		{"contains username", "Maria.Keller-Orbit-73!", []string{RuleContainsUsername}},
		{"common", "Password@1234", []string{RuleCommon}},
		{"guessable", "Aaaaaaaaaaa1!", []string{RuleTooWeak}},
		{"reused", "Older-Secret-Phrase-42", []string{RuleRecentlyUsed}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, v := range p.Check(tc.pw, in, []string{old}) {
				got = append(got, v.Rule)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("Check(%q) = %v, want %v", tc.pw, got, tc.want)
			}
		})
	}
}

func TestPolicyHistorySize(t *testing.T) {
	h := Hasher{Params: testParams}
	var history []string
	for _, pw := range []string{"First-Lantern-Orbit-71", "Second-Lantern-Orbit-72"} {
		enc, err := h.Hash(pw)
		if err != nil {
			t.Fatal(err)
		}
		history = append([]string{enc}, history...)
	}
	p := PolicyOf(nil)
	p.HistorySize = 1
	if v := p.Check("First-Lantern-Orbit-71", Inputs{}, history); len(v) != 0 {
		t.Fatalf("a password beyond the history size was refused: %v", v)
	}
	if v := p.Check("Second-Lantern-Orbit-72", Inputs{}, history); len(v) != 1 {
		t.Fatalf("the newest password was accepted again: %v", v)
	}
}

// BenchmarkVerify measures one verification with DefaultParams, the cost
// of every login.
func BenchmarkVerify(b *testing.B) {
	enc, err := Hasher{Params: DefaultParams}.Hash("Quiet-Lantern-Orbit-73")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := Verify(enc, "Quiet-Lantern-Orbit-73"); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
