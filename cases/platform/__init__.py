"""The approval platform as the case record sees it: the port (`port`), the events that come
back (`events`) and one handler per event (`handlers`), the calls waiting in the outbox
(`outbox`) and their delivery (`calls`, `delivery`). Implementations of the port live in
`integrations.platform` and import this package, never the other way round."""
