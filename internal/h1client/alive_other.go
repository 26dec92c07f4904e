//go:build !unix

package h1client

import "net"

// alive reports true: without a non-blocking peek, a closed connection is
// found when it is used.
func alive(net.Conn) bool { return true }
