package scalar

// InputError is a value a client sent that a scalar cannot read. Its message
// describes the mistake and is safe to show; the API reports it as
// BAD_REQUEST.
type InputError struct {
	msg string
}

// Error returns the message for the client.
func (e *InputError) Error() string { return e.msg }

func inputErrorf(msg string) error { return &InputError{msg: msg} }
