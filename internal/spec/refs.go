package spec

// ClientRef names the client a checker judges.
type ClientRef struct {
	// Client is the client the checker judges; a group's name (p*) judges every member.
	Client string `yaml:"client" json:"client"`
}

// Subject is the client the checker judges.
func (r ClientRef) Subject() string { return r.Client }
