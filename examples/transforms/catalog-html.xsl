<?xml version="1.0" encoding="UTF-8"?>
<!-- Renders docs/catalog.xml as an HTML page: books by title, with a count per author.
     `title` is a stylesheet parameter: ?xslt=catalog-html&title=Shelf -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="page.xsl"/>
  <xsl:output method="html"/>
  <xsl:param name="title" select="'Catalog'"/>

  <xsl:template match="catalog">
    <xsl:call-template name="page">
      <xsl:with-param name="heading" select="$title"/>
      <xsl:with-param name="body">
        <ul>
          <xsl:apply-templates select="book">
            <xsl:sort select="title"/>
          </xsl:apply-templates>
        </ul>
        <p><xsl:value-of select="count(book)"/> books by <xsl:value-of select="count(book[not(author = preceding-sibling::book/author)])"/> authors</p>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="book">
    <li id="{@id}"><xsl:value-of select="title"/> (<xsl:value-of select="@year"/>), <xsl:value-of select="author"/></li>
  </xsl:template>
</xsl:stylesheet>
