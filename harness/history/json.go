package history

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// WriteJSON writes the history as JSON one event at a time, so that writing it costs memory
// for one event rather than for the whole file; it reads back with encoding/json into a
// History. Events are written one per line.
func (h *History) WriteJSON(w io.Writer) error {
	head, err := json.Marshal(struct {
		Version  int       `json:"version"`
		Scenario string    `json:"scenario"`
		Start    time.Time `json:"start"`
	}{h.Version, h.Scenario, h.Start})
	if err != nil {
		return fmt.Errorf("history: encode %s: %w", h.Scenario, err)
	}
	if _, err := w.Write(append(head[:len(head)-1], `,"events":[`...)); err != nil {
		return fmt.Errorf("history: write: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range h.Events {
		buf.Reset()
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
		if err := enc.Encode(&h.Events[i]); err != nil {
			return fmt.Errorf("history: encode event %d: %w", h.Events[i].Seq, err)
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
		if _, err := w.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("history: write: %w", err)
		}
	}
	if _, err := io.WriteString(w, "\n]}"); err != nil {
		return fmt.Errorf("history: write: %w", err)
	}
	return nil
}
