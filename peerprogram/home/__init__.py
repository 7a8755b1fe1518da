"""The role home pages and a peer worker's page: the top layer's views, which gather what
each app's selectors say about a person."""
