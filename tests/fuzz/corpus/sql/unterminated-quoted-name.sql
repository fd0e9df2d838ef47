CREATE TABLE "t (id int primary key);
