package proc

import (
	"fmt"
	"sync"
)

// The budget the harness gives a program's output in a history (a client's or a server's).
const (
	HistoryLines    = 2000
	HistoryLineSize = 1024
)

// LineBudget wraps an OnLine callback so that a chatty program cannot flood what receives its
// output: each line is cut at maxSize bytes, and after maxLines lines one notice says the rest
// is not passed on. The result is safe for concurrent use (stdout and stderr call it).
func LineBudget(maxLines, maxSize int, onLine func(stream, line string)) func(stream, line string) {
	var mu sync.Mutex
	n := 0
	return func(stream, line string) {
		mu.Lock()
		n++
		k := n
		mu.Unlock()
		switch {
		case k < maxLines:
			if len(line) > maxSize {
				line = line[:maxSize] + "…"
			}
			onLine(stream, line)
		case k == maxLines:
			onLine(stream, fmt.Sprintf("… (output past %d lines is not recorded)", maxLines))
		}
	}
}
