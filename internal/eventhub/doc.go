// Package eventhub sends the messages of the log-to-eventhub policy to
// Kafka: a logger entity of type azureEventHub becomes a Kafka topic, on an
// Event Hubs namespace (which speaks the Kafka protocol on port 9093, SASL
// PLAIN over TLS with the connection string as password) or on any Kafka
// cluster.
//
// Sending never blocks a request: Send appends the message to its logger's
// queue, and the logger's goroutine sends what gathered at most every
// Linger (sooner when a round's worth gathered), one record batch per
// partition in one produce request per partition leader (producer.go;
// franz-go's client connects, authenticates and answers metadata). At most QueueSize messages per logger wait for
// Kafka's answer; Send drops the ones beyond, a message Kafka asks to retry
// (a leader that moved) is sent again, and one the broker does not take
// fails after the delivery timeout. Both are counted (Stats), written to
// the error output at most once every ten seconds per logger, and put in
// their request's trace (Tracer).
//
// A logger's settings come from its credentials (loggers/<name>/
// loggerInformation.json, overridable in a values file's loggers section),
// with {{named value}} references substituted:
//
//	connectionString  an Event Hubs connection string
//	                  Endpoint=sb://NS.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=...;EntityPath=HUB
//	                  gives brokers NS.servicebus.windows.net:9093, TLS, SASL PLAIN
//	                  with user $ConnectionString; the topic is EntityPath, else name
//	bootstrapServers  host:port[,host:port...] of a Kafka cluster; the topic is name
//	saslUsername, saslPassword   SASL PLAIN credentials (with bootstrapServers)
//	tls               "true" to connect with TLS (with bootstrapServers)
//	name              the event hub, i.e. the topic
package eventhub
