package account

import (
	"errors"
	"net/mail"
	"strings"
)

// Limits of the fields of a user, as the specification sets them.
const (
	UsernameMinLen     = 3
	UsernameMaxLen     = 128
	NameMaxLen         = 128
	EmailMaxLen        = 254
	PhoneMinDigits     = 6
	PhoneMaxDigits     = 20
	ProfileMaxEntries  = 50
	ProfileKeyMaxLen   = 64
	ProfileValueMaxLen = 1024
)

// Errors returned by the validators. Each names the rule that failed so that
// the API can turn it into a user error on the right field.
var (
	ErrUsernameLength  = errors.New("username must be 3 to 128 characters long")
	ErrUsernameChars   = errors.New("username may contain only letters, digits and . _ - @ +")
	ErrEmailInvalid    = errors.New("email must be a valid address such as name@example.com")
	ErrPhoneInvalid    = errors.New("phone numbers are an optional + followed by 6 to 20 digits")
	ErrNameLength      = errors.New("names are at most 128 characters long")
	ErrProfileTooLarge = errors.New("profile holds at most 50 entries")
	ErrProfileKey      = errors.New("profile keys are 1 to 64 characters long")
	ErrProfileValue    = errors.New("profile values are at most 1024 characters long")
)

// NormalizeUsername returns the form of a username that uniqueness is
// checked on: usernames differing only in case name the same account.
func NormalizeUsername(username string) string {
	return strings.ToLower(username)
}

// ValidateUsername checks the length and the alphabet of a username.
func ValidateUsername(username string) error {
	n := len([]rune(username))
	if n < UsernameMinLen || n > UsernameMaxLen {
		return ErrUsernameLength
	}
	for _, r := range username {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("._-@+", r):
		default:
			return ErrUsernameChars
		}
	}
	return nil
}

// ValidateEmail checks that email is a bare address, without a display name.
func ValidateEmail(email string) error {
	if email == "" || len(email) > EmailMaxLen {
		return ErrEmailInvalid
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return ErrEmailInvalid
	}
	at := strings.LastIndexByte(email, '@')
	if at < 1 || !strings.Contains(email[at+1:], ".") {
		return ErrEmailInvalid
	}
	return nil
}

// ValidatePhone checks a mobile or phone number: an optional leading + and
// 6 to 20 digits, nothing else.
func ValidatePhone(phone string) error {
	digits := strings.TrimPrefix(phone, "+")
	if len(digits) < PhoneMinDigits || len(digits) > PhoneMaxDigits {
		return ErrPhoneInvalid
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return ErrPhoneInvalid
		}
	}
	return nil
}

// ValidateName checks a first or last name.
func ValidateName(name string) error {
	if len([]rune(name)) > NameMaxLen {
		return ErrNameLength
	}
	return nil
}

// ValidateProfile checks the size of a profile and of its keys and values.
func ValidateProfile(profile map[string]string) error {
	if len(profile) > ProfileMaxEntries {
		return ErrProfileTooLarge
	}
	for k, v := range profile {
		if k == "" || len([]rune(k)) > ProfileKeyMaxLen {
			return ErrProfileKey
		}
		if len([]rune(v)) > ProfileValueMaxLen {
			return ErrProfileValue
		}
	}
	return nil
}
