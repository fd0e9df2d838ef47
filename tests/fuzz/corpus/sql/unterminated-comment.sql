CREATE TABLE t (id int primary key);
/* never closed
CREATE TABLE u (id int);
