package spec

// ClientRef names the client a checker looks at.
type ClientRef struct {
	// Client is the player to check.
	Client string `yaml:"client" json:"client"`
}
