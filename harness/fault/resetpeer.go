package fault

import "context"

// ResetPeer resets connections after a timeout (Toxiproxy reset_peer toxic); it acts on
// connections opened while it is present.
type ResetPeer struct {
	TimeoutToxic `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with TimeoutToxic's schema.
func (ResetPeer) JSONSchemaAlias() any { return TimeoutToxic{} }

// Apply adds a reset_peer toxic.
func (t *ResetPeer) Apply(_ context.Context, env Env, fault string) (Revert, error) {
	return t.apply(env, fault, "reset_peer", map[string]any{"timeout": ms(t.Timeout)})
}
