// Package identity is who a scripted connection says it is: its client's name and the
// connection's number, carried in two extra properties of the connect command object, so that
// the reference server's access log attributes what it sees to a client and a connection —
// never by stream name, offset or time. The app name and tcUrl stay exactly what the scenario
// gives: a server that validates them (no '?', '&' or '=' in an application name) is not
// refused anything, and servers ignore connect properties they do not know.
package identity

// Connect command object properties.
const (
	PropClient = "sfClient"
	PropConn   = "sfConn"
)

// Identity is who a connection says it is.
type Identity struct {
	// Client is the client's name ("" declares nothing).
	Client string
	// Conn numbers the client's connections from 1.
	Conn int
}

// Put adds the identity's properties to a connect command object (nothing without a name).
func (id Identity) Put(obj map[string]any) {
	if id.Client != "" {
		obj[PropClient], obj[PropConn] = id.Client, float64(id.Conn)
	}
}

// Of reads the identity a connect command object declares; ok is false when it declares none.
func Of(obj map[string]any) (id Identity, ok bool) {
	name, _ := obj[PropClient].(string)
	if name == "" {
		return Identity{}, false
	}
	n, _ := obj[PropConn].(float64)
	return Identity{Client: name, Conn: int(n)}, true
}
