package account

import (
	"fmt"
	"strings"
	"testing"
)

func TestValidators(t *testing.T) {
	bigProfile := map[string]string{}
	for i := range ProfileMaxEntries + 1 {
		bigProfile[fmt.Sprint("k", i)] = "v"
	}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"username ok", ValidateUsername("jane.doe@example.com"), nil},
		{"username plus", ValidateUsername("a+b_c-d"), nil},
		{"username short", ValidateUsername("ab"), ErrUsernameLength},
		{"username long", ValidateUsername(strings.Repeat("a", 129)), ErrUsernameLength},
		{"username space", ValidateUsername("jane doe"), ErrUsernameChars},
		{"username quote", ValidateUsername("jane'"), ErrUsernameChars},
		{"email ok", ValidateEmail("jane@example.com"), nil},
		{"email empty", ValidateEmail(""), ErrEmailInvalid},
		{"email no at", ValidateEmail("jane.example.com"), ErrEmailInvalid},
		{"email display name", ValidateEmail("Jane <jane@example.com>"), ErrEmailInvalid},
		{"email no domain dot", ValidateEmail("jane@localhost"), ErrEmailInvalid},
		{"phone ok", ValidatePhone("+41791234567"), nil},
		{"phone no plus", ValidatePhone("0791234567"), nil},
		{"phone short", ValidatePhone("+12345"), ErrPhoneInvalid},
		{"phone long", ValidatePhone("+" + strings.Repeat("1", 21)), ErrPhoneInvalid},
		{"phone letters", ValidatePhone("+4179abc4567"), ErrPhoneInvalid},
		{"phone spaces", ValidatePhone("+41 79 123 45 67"), ErrPhoneInvalid},
		{"name ok", ValidateName("Zoë"), nil},
		{"name long", ValidateName(strings.Repeat("x", 129)), ErrNameLength},
		{"profile ok", ValidateProfile(map[string]string{"department": "Claims"}), nil},
		{"profile too many", ValidateProfile(bigProfile), ErrProfileTooLarge},
		{"profile empty key", ValidateProfile(map[string]string{"": "x"}), ErrProfileKey},
		{"profile long key", ValidateProfile(map[string]string{strings.Repeat("k", 65): "x"}), ErrProfileKey},
		{"profile long value", ValidateProfile(map[string]string{"k": strings.Repeat("v", 1025)}), ErrProfileValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err != tc.want {
				t.Fatalf("got %v, want %v", tc.err, tc.want)
			}
		})
	}
}
