#!/usr/bin/perl
# Harvests a kb node with HTTP::OAI (Debian's libhttp-oai-perl), a client nobody here
# wrote, through every verb, following resumption tokens, and prints what it saw.
use strict;
use warnings;
use HTTP::OAI;

my $base = shift or die "usage: oai-harvest.pl BASE_URL\n";
my $h = HTTP::OAI::Harvester->new(baseURL => $base, resume => 1);

sub check {
	my ($r, $what) = @_;
	die "$what: " . join(", ", map { $_->code . " " . $_->message } $r->errors) . "\n" if $r->is_error;
}

my $id = $h->Identify;
check($id, "Identify");
print "identify\t", $id->repositoryName, "\t", $id->protocolVersion, "\t", $id->granularity, "\t", $id->deletedRecord, "\n";

my $formats = $h->ListMetadataFormats;
check($formats, "ListMetadataFormats");
while (my $f = $formats->next) { print "format\t", $f->metadataPrefix, "\n"; }

# With resume on, HTTP::OAI follows the resumption tokens itself and hands each item of
# every page to onRecord.
my $nsets = 0;
my $sets = $h->ListSets(onRecord => sub { $nsets++ });
check($sets, "ListSets");
print "sets\t$nsets\n";

for my $prefix (qw(oai_dc kb)) {
	my ($n, $deleted) = (0, 0);
	my $first;
	my $ids = $h->ListIdentifiers(metadataPrefix => $prefix, onRecord => sub {
		my $hd = shift;
		$n++;
		$deleted++ if $hd->is_deleted;
		$first //= $hd->identifier;
	});
	check($ids, "ListIdentifiers $prefix");
	print "identifiers\t$prefix\t$n\t$deleted\n";

	my ($m, $with) = (0, 0);
	my $recs = $h->ListRecords(metadataPrefix => $prefix, onRecord => sub {
		my $r = shift;
		$m++;
		$with++ if !$r->is_deleted && defined $r->metadata && $r->metadata->dom->toString =~ /\w/;
	});
	check($recs, "ListRecords $prefix");
	print "records\t$prefix\t$m\t$with\n";

	my $one = $h->GetRecord(identifier => $first, metadataPrefix => $prefix);
	check($one, "GetRecord $prefix");
	my $rec = $one->next;
	print "getrecord\t$prefix\t", $rec->identifier, "\n";
}

my $bad = $h->GetRecord(identifier => "oai:nowhere.example.org:nothing", metadataPrefix => "oai_dc");
print "error\t", join(",", map { $_->code } $bad->errors), "\n";
my $nofmt = $h->ListRecords(metadataPrefix => "marc21");
print "error\t", join(",", map { $_->code } $nofmt->errors), "\n";
