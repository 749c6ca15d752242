package lab

import (
	"errors"
	"fmt"
	"sync"

	toxiclient "github.com/Shopify/toxiproxy/v2/client"
)

// Path is a route as built: a Toxiproxy proxy in front of a server. Faults on one route run
// at once (a reset's end while a lasting disable holds); every call on its proxy goes through
// Path's methods, one at a time: the client's handle rewrites its own fields on each answer.
type Path struct {
	// Name is the route's scenario name.
	Name string
	// Listen is the proxy's loopback address clients dial.
	Listen string
	// Upstream is the server address behind the proxy.
	Upstream string
	// Server is the name of the server behind the proxy.
	Server string

	mu    sync.Mutex
	proxy *toxiclient.Proxy
	down  bool // a lasting disable holds the route down: closing links must not bring it up
}

// Disable takes the route down and holds it down until Enable: its links are closed and new
// connections refused.
func (p *Path) Disable() error { return p.setDown(true) }

// Enable brings the route up and ends a hold of Disable.
func (p *Path) Enable() error { return p.setDown(false) }

func (p *Path) setDown(down bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	op, name := p.proxy.Enable, "enable"
	if down {
		op, name = p.proxy.Disable, "disable"
	}
	if err := op(); err != nil {
		return fmt.Errorf("%s proxy: %w", name, err)
	}
	p.down = down
	return nil
}

// CloseLinks closes the route's live links (Toxiproxy disabled then enabled). A route held
// down has none, and stays down.
func (p *Path) CloseLinks() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closeLinksLocked(nil)
}

// RemoveClosing closes the route's live links, then removes the named toxics from it while
// it has none, as one step: removing a timeout toxic from live links can strand a Toxiproxy
// link goroutine. A route held down stays down.
func (p *Path) RemoveClosing(names []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closeLinksLocked(func() error { return p.removeLocked(names) })
}

func (p *Path) closeLinksLocked(between func() error) error {
	if !p.down {
		if err := p.proxy.Disable(); err != nil {
			return fmt.Errorf("disable proxy: %w", err)
		}
	}
	var errs []error
	if between != nil {
		errs = append(errs, between())
	}
	if !p.down {
		if err := p.proxy.Enable(); err != nil {
			errs = append(errs, fmt.Errorf("enable proxy: %w", err))
		}
	}
	return errors.Join(errs...)
}

// AddToxic adds a toxic to the route.
func (p *Path) AddToxic(name, typ, stream string, toxicity float32, attrs map[string]any) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.proxy.AddToxic(name, typ, stream, toxicity, attrs); err != nil {
		return fmt.Errorf("add toxic %s: %w", name, err)
	}
	return nil
}

// RemoveToxics removes the named toxics from the route, all of them whatever fails.
func (p *Path) RemoveToxics(names []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.removeLocked(names)
}

func (p *Path) removeLocked(names []string) error {
	var errs []error
	for _, name := range names {
		if err := p.proxy.RemoveToxic(name); err != nil {
			errs = append(errs, fmt.Errorf("remove toxic %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// Toxics lists the route's toxics.
func (p *Path) Toxics() (toxiclient.Toxics, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ts, err := p.proxy.Toxics()
	if err != nil {
		return nil, fmt.Errorf("list toxics: %w", err)
	}
	return ts, nil
}

// remake deletes the route's proxy and makes it again, up and without toxics, on the same
// address to the same upstream.
func (p *Path) remake(c *toxiclient.Client) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	name, upstream := p.proxy.Name, p.proxy.Upstream
	if err := p.proxy.Delete(); err != nil {
		return fmt.Errorf("delete proxy to heal it: %w", err)
	}
	np, err := c.CreateProxy(name, p.Listen, upstream)
	if err != nil {
		return fmt.Errorf("make the proxy again on %s: %w", p.Listen, err)
	}
	p.proxy, p.down = np, false
	return nil
}

// reopen closes the route's live links and leaves it up, whatever held it down.
func (p *Path) reopen() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
	return p.closeLinksLocked(nil)
}

// remove takes the route down and deletes its proxy.
func (p *Path) remove() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	if err := p.proxy.Disable(); err != nil {
		errs = append(errs, fmt.Errorf("disable: %w", err))
	}
	if err := p.proxy.Delete(); err != nil {
		errs = append(errs, fmt.Errorf("delete proxy: %w", err))
	}
	return errors.Join(errs...)
}
