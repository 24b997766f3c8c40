"""Every statement the web app runs (named blocks of ``queries.sql``), one module per area,
each returning typed rows. Functions take a pool or a connection: a caller that holds a
transaction passes its connection."""
