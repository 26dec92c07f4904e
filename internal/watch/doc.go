// Package watch reports changes to a configuration folder: New watches every
// directory under it (and directories created later) with inotify and its
// equivalents, and Run calls back once per burst of changes, after the
// folder has been quiet for a debounce interval. It handles editors that
// save by writing a new file and renaming it over the old one, and
// Kubernetes ConfigMap volumes, which swap a "..data" symbolic link. When the
// system cannot watch (no inotify, or its limits are reached), it falls back
// to polling the folder's file sizes, times and links.
//
// Hash returns a short, stable hash of a folder's files, which names the
// configuration being served.
package watch
