-- Analytics events and shipping methods.

CREATE TYPE event_kind AS ENUM ('page_view', 'add_to_cart', 'checkout', 'refund');

CREATE TABLE events (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id  bigint REFERENCES customers (id),
  kind         event_kind NOT NULL,
  payload      jsonb NOT NULL DEFAULT '{}',
  occurred_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_customer_id_idx ON events (customer_id);

-- A small lookup table, seeded here: scanning it is always fine.
CREATE TABLE shipping_methods (
  code        text PRIMARY KEY,
  label       text NOT NULL,
  price_cents integer NOT NULL
);
INSERT INTO shipping_methods (code, label, price_cents) VALUES
  ('standard', 'Standard (3-5 days)', 499),
  ('express', 'Express (1-2 days)', 1299),
  ('pickup', 'Store pickup', 0);

ALTER TABLE orders ADD COLUMN shipping_method text REFERENCES shipping_methods (code);

-- Index for the join from order_items to products.
CREATE INDEX order_items_product_id_idx ON order_items (product_id);
