CREATE TABLE t (id int primary key, s text default 'unterminated);
