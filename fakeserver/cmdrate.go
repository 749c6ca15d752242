package fakeserver

import (
	"fmt"
	"time"
)

// Commands a session may send: CommandBurst at once, then CommandRate per second sustained. A
// session past them is closed with the reason logged, so that one connection cannot buy
// unbounded server work with endless commands (play2 appends and stops, seeks, createStream).
// Real clients send a handful per connection; a 256-item playlist built at once fits the burst.
const (
	CommandBurst = 512
	CommandRate  = 128
)

// commandBudget is a token bucket over a session's commands, used by its read loop only.
type commandBudget struct {
	tokens float64
	last   time.Time
}

// take spends one command at now; false when the session is over its budget.
func (b *commandBudget) take(now time.Time) bool {
	if b.last.IsZero() {
		b.tokens = CommandBurst
	} else {
		b.tokens = min(CommandBurst, b.tokens+now.Sub(b.last).Seconds()*CommandRate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// errTooManyCommands is why a session over its command budget is closed.
var errTooManyCommands = fmt.Errorf("refused: more than %d commands at once or %d per second sustained", CommandBurst, CommandRate)
