"""The citizen's survey page: server-rendered, works without JavaScript."""
