// Package semcache is the semantic cache of llm-semantic-cache-lookup and
// llm-semantic-cache-store: responses to prompts, found again by the cosine
// similarity of the prompt's embedding vector, on top of any cache.Store (the
// gateway's internal memory cache, or Redis shared by replicas).
//
// # Layout and bounds
//
// A partition (the API and the values of the policy's vary-by elements)
// has one index entry holding the vectors of at most Options.MaxEntries
// cached prompts (default 128) with their expiry times, and one entry per
// cached response. A lookup reads the index once and scans it linearly:
// its cost grows with MaxEntries × the vector dimension (128 vectors of 1536
// dimensions are 768 KB read and 200 k multiply-adds). When the index is
// full, storing first drops expired vectors, then the oldest one.
//
// Stores from several replicas to one partition at the same moment may
// overwrite each other's index: a vector lost that way is a later cache
// miss, never a wrong answer. A response whose entry expired or was evicted
// is a miss too.
//
// Vectors compared must come from the same embeddings model: vectors of a
// different dimension never match.
package semcache
