package fakeclient

import (
	"context"
	"fmt"
	"time"

	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// bandwidthCheck asks the server to measure the bandwidth, answers its onBWCheck calls and
// returns its onBWDone, within 30 s.
func (p *Player) bandwidthCheck(ctx context.Context, c *rtmpconn.Conn) (*Event, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "checkBandwidth", 3, nil); err != nil {
		return nil, fmt.Errorf("bandwidth check: %w", err)
	}
	for {
		m, err := readMessage(c)
		if err != nil {
			return nil, fmt.Errorf("bandwidth check: %w", err)
		}
		if m.Command == nil {
			continue
		}
		switch m.Command.Name {
		case "onBWCheck":
			if p.cfg.Mutant == MutantSlowBandwidthReply && m.Command.Arg(1) != nil {
				if err := clock.Sleep(ctx, p.clk, 250*time.Millisecond); err != nil {
					return nil, err
				}
			}
			if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "_result", m.Command.TransactionID, nil, nil); err != nil {
				return nil, fmt.Errorf("bandwidth check: %w", err)
			}
		case "onBWDone":
			if err := inTime(ctx, stop, "bandwidth check"); err != nil {
				return nil, err
			}
			kbps, _ := m.Command.Arg(1).(float64)
			latency, _ := m.Command.Arg(4).(float64)
			return &Event{Kind: EventBandwidth, Kbps: kbps, Latency: time.Duration(latency) * time.Millisecond,
				Message: fmt.Sprintf("onBWDone %.0f kbps, latency %.0f ms", kbps, latency)}, nil
		}
	}
}
